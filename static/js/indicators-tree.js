// Tree editor: show the inputs that apply to the chosen node kind and scoring method.
// The editor is swapped in by htmx, so the wiring runs on load and after every swap.
(function () {
  function sync(form) {
    const kind = form.querySelector("[name=kind]");
    const method = form.querySelector("[name=method]");
    form.querySelectorAll("[data-show-kind]").forEach((el) => {
      const kinds = el.dataset.showKind.split(" ");
      el.hidden = !kinds.includes(kind.value);
    });
    form.querySelectorAll(".method-params").forEach((el) => {
      const active = el.dataset.method === method.value;
      el.hidden = !active;
      el.querySelectorAll("input, textarea, select").forEach((input) => { input.disabled = !active; });
    });
  }
  // Ask the server for the rule in words a moment after the office stops typing.
  function livePreview(form, target) {
    if (!target || !window.htmx) return;
    let timer = null;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => window.htmx.trigger(target, "refresh-preview"), 300);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }
  window.kaopingLivePreview = livePreview;
  function wire(root) {
    root.querySelectorAll("[data-node-form]").forEach((form) => {
      if (form.dataset.wired) return;
      form.dataset.wired = "1";
      form.addEventListener("change", (event) => {
        if (event.target.name === "kind" || event.target.name === "method") sync(form);
      });
      livePreview(form, document.getElementById("rule-preview"));
      sync(form);
      const editor = document.getElementById("node-editor");
      if (editor && editor.scrollIntoView && window.innerWidth < 900) editor.scrollIntoView({ block: "start" });
    });
  }
  document.addEventListener("DOMContentLoaded", () => wire(document));
  document.addEventListener("htmx:afterSettle", (event) => wire(event.target.ownerDocument || document));
})();
