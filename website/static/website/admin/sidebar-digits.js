// The admin's menu is drawn in the browser (Wagtail's sidebar, a React app) and writes its counts
// with Latin digits ("(এই মেনুতে 2টি নতুন আইটেম)" and the "2" badge). In a Bangla admin (the only
// one this is loaded in, website/wagtail_hooks.py) its numbers get Bengali digits, as the
// server's pages do (website/admin_language.py): only in text holding no Latin letter, and only
// text nodes' values change, so React, which keeps the nodes, never notices.
document.addEventListener("DOMContentLoaded", () => {
  const sidebar = document.getElementById("wagtail-sidebar");
  if (!sidebar) return;
  const toBengali = (text) => text.replace(/[0-9]/g, (digit) => "০১২৩৪৫৬৭৮৯"[digit]);
  const localise = () => {
    const walker = document.createTreeWalker(sidebar, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const value = text.nodeValue;
      if (/[0-9]/.test(value) && !/[A-Za-z]/.test(value)) text.nodeValue = toBengali(value);
    }
  };
  new MutationObserver(localise).observe(sidebar, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  localise();
});
