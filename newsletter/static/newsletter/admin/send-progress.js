// The send page's figures, fetched again every few seconds while the send is active. When the
// state changes (paused, done...), the page reloads to show the right buttons and messages.
(() => {
  const section = document.querySelector("[data-send-progress]");
  if (!section) return;
  const figures = section.querySelector("[data-send-figures]");
  const seconds = Number(section.dataset.seconds) || 5;
  const refresh = async () => {
    try {
      const response = await fetch(section.dataset.url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        if (data.state !== section.dataset.state) {
          window.location.reload();
          return;
        }
        figures.innerHTML = data.html;
      }
    } catch (error) {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(refresh, seconds * 1000);
  };
  window.setTimeout(refresh, seconds * 1000);
})();
