// Rules editor: show the inputs of the chosen grading kind only.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("[data-grading-kind]");
  if (!select) return;
  const sync = () => {
    document.querySelectorAll("[data-grading]").forEach((el) => { el.hidden = el.dataset.grading !== select.value; });
  };
  select.addEventListener("change", sync);
  sync();
  const form = document.getElementById("rules-form");
  const target = document.getElementById("formula-preview");
  if (form && target && window.htmx) {
    let timer = null;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => window.htmx.trigger(target, "refresh-preview"), 300);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }
});
