// Scoring sheet keyboard help: Enter in a score moves to the next row's score, Ctrl/Cmd+S
// saves, and a score that differs from the self-score is highlighted as it is typed.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-scoring]");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll(".score-input"));
  inputs.forEach((input, index) => {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const next = inputs[index + 1];
        if (next) next.focus(); else form.querySelector("button[type=submit]")?.focus();
      }
    });
    const row = input.closest("tr");
    const compare = () => {
      const self = row.dataset.self;
      const value = input.value.trim();
      // compare as decimal strings: "8" and "8.00" are the same score
      const norm = (s) => s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
      row.classList.toggle("differs", self !== "" && value !== "" && input.tagName === "INPUT" && norm(self) !== norm(value));
    };
    input.addEventListener("input", compare);
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  inputs[0]?.focus();
});
