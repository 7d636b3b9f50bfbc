// The send screen's recipient counts, fetched again whenever the officer changes who receives the
// issue (groups, topics, labels, languages, a saved segment, sending again), before sending.
(() => {
  const fieldset = document.querySelector("[data-audience]");
  if (!fieldset) return;
  const form = fieldset.closest("form");
  let pending = null;
  const refresh = async () => {
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken") query.append(name, value);
    }
    for (const [name, value] of new URLSearchParams(fieldset.dataset.countUrl.split("?")[1])) {
      query.set(name, value);
    }
    const controller = new AbortController();
    if (pending) pending.abort();
    pending = controller;
    try {
      const response = await fetch(`?${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return;
      const data = await response.json();
      for (const [code, count] of Object.entries(data.languages)) {
        const cell = document.querySelector(`[data-recipients] [data-language="${code}"] [data-count]`);
        if (cell) cell.textContent = count;
      }
      document.querySelectorAll("[data-total]").forEach((node) => {
        node.textContent = data.total;
      });
      const already = document.querySelector("[data-already]");
      if (already) already.textContent = data.already_text;
    } catch (error) {
      // aborted by a newer choice, or offline for a moment: the next change tries again
    }
  };
  fieldset.addEventListener("change", refresh);
})();
