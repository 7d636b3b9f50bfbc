// wagtail-localize's translation editor (a React app) writes a few words in English in its
// bundle: each tab's heading, `${source} to ${target} translation`, and the footer menu's
// "More actions" for screen readers. The page carries them in the admin's language
// (data-translation-editor-*, website/templates/wagtail_localize/admin/edit_translation.html);
// this puts them in place as the app draws them. Only text nodes' values change, so React,
// which keeps the nodes, never notices. Loaded in the page's head.
document.addEventListener("DOMContentLoaded", () => {
  const strings = document.querySelector("[data-translation-editor-heading]");
  const editor = document.querySelector(".js-translation-editor");
  if (!strings || !editor) return;
  const heading = strings.dataset.translationEditorHeading;
  const moreActions = strings.dataset.translationEditorMoreActions;
  const englishHeading = / to .+ translation$/;
  const translate = () => {
    const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const parent = text.parentElement;
      if (parent.matches("section h3") && englishHeading.test(text.nodeValue)) {
        text.nodeValue = heading;
      } else if (parent.matches(".w-sr-only") && text.nodeValue === "More actions") {
        text.nodeValue = moreActions;
      }
    }
  };
  new MutationObserver(translate).observe(editor, { childList: true, subtree: true });
  translate();
});
