// Paper entry (纸质问卷录入): digits pick an option and move to the next unit; 0 clears;
// Enter saves the sheet. Plain selects still work with mouse and screen readers.
(function () {
  "use strict";
  var form = document.querySelector("[data-sheet-form]");
  if (!form) return;
  var selects = Array.prototype.slice.call(form.querySelectorAll("[data-key-select]"));
  function next(i) {
    if (i + 1 < selects.length) selects[i + 1].focus();
    else form.querySelector("button[type=submit]").focus();
  }
  selects.forEach(function (select, i) {
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); form.requestSubmit(); return; }
      if (!/^[0-9]$/.test(event.key)) return;
      event.preventDefault();
      if (event.key === "0") { select.value = ""; next(i); return; }
      var option = select.querySelector('option[data-key="' + event.key + '"]');
      if (option) { select.value = option.value; next(i); }
    });
  });
  var sheet = form.querySelector("input[name=sheet_no]");
  if (sheet) {
    sheet.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); if (selects[0]) selects[0].focus(); }
    });
  }
  if (selects[0]) selects[0].focus();
})();
