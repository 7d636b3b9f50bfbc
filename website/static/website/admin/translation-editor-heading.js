// wagtail-localize's translation editor (a React app) writes each tab's heading in English in its
// bundle: `${source} to ${target} translation`. The page carries the heading in the admin's
// language (data-translation-editor-heading, website/templates/wagtail_localize/admin/
// edit_translation.html); this puts it in place as the app draws its tabs. Only the text node's
// value changes, so React, which keeps the node, never notices. Loaded in the page's head.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.querySelector("[data-translation-editor-heading]");
  const editor = document.querySelector(".js-translation-editor");
  if (!source || !editor) return;
  const heading = source.dataset.translationEditorHeading;
  const englishHeading = / to .+ translation$/;
  const translateHeadings = () => {
    for (const title of editor.querySelectorAll("section h3")) {
      const text = title.firstChild;
      if (text && text.nodeType === Node.TEXT_NODE && englishHeading.test(text.nodeValue)) {
        text.nodeValue = heading;
      }
    }
  };
  new MutationObserver(translateHeadings).observe(editor, { childList: true, subtree: true });
  translateHeadings();
});
