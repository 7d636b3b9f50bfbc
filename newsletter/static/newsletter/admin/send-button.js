// The send screen's button: while only untranslated items stop the send, it waits for the
// officer to tick "Send English items in place of untranslated ones" (the server checks again).
(() => {
  const button = document.querySelector("[data-send-button][data-needs-fallback]");
  const fallback = document.querySelector("input[name='allow_fallback']");
  if (!button || !fallback) return;
  const update = () => {
    button.disabled = !fallback.checked;
  };
  fallback.addEventListener("change", update);
  update();
})();
