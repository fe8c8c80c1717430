// Public e-poll and ballot forms (form[data-resubmit]): send with fetch and, when the network or
// the server fails (no answer, 502/503/504), send the same submission again after Retry-After.
// The e-poll form carries a submission key and the ballot its one-time token, so the server
// counts a submission once however many times it arrives. Without this script the forms post
// normally and the 503 page tells the visitor to go back and submit again.
(function () {
  "use strict";

  var MAX_ATTEMPTS = 6;
  var RETRYABLE = [502, 503, 504];

  function status(form) {
    var box = form.querySelector("[data-resubmit-status]");
    if (!box) {
      box = document.createElement("p");
      box.setAttribute("data-resubmit-status", "");
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    return box;
  }

  function say(form, text, kind) {
    var box = status(form);
    box.className = kind;
    box.textContent = text;
  }

  function thank(form, data) {
    var page = form.closest(".public") || form.parentNode;
    var title = document.createElement("h1");
    title.textContent = data.title || "";
    var message = document.createElement("p");
    message.setAttribute("role", "status");
    message.textContent = data.message || "";
    page.replaceChildren(title, message);
    window.scrollTo(0, 0);
  }

  function waitSeconds(response, attempt) {
    var header = response ? parseInt(response.headers.get("Retry-After") || "", 10) : NaN;
    var seconds = isNaN(header) ? Math.min(2 * attempt, 10) : Math.min(header, 30);
    return new Promise(function (resolve) { window.setTimeout(resolve, seconds * 1000); });
  }

  async function send(form, button) {
    var body = new FormData(form); // the same key on every attempt
    for (var attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      var response = null;
      try {
        response = await fetch(form.action, {
          method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" },
        });
      } catch (error) {
        response = null; // no answer: it may or may not have arrived, sending it again is safe
      }
      if (response && RETRYABLE.indexOf(response.status) === -1) {
        var data = null;
        try { data = await response.json(); } catch (error) { data = null; }
        if (data && data.ok) { thank(form, data); return; }
        say(form, (data && data.error) || form.dataset.failedText, "error");
        button.disabled = false;
        return;
      }
      if (attempt < MAX_ATTEMPTS) {
        say(form, form.dataset.retryingText, "notice");
        await waitSeconds(response, attempt);
      }
    }
    say(form, form.dataset.gaveUpText, "error");
    button.disabled = false;
  }

  document.querySelectorAll("form[data-resubmit]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !form.checkValidity()) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button.disabled) { return; }
      button.disabled = true;
      say(form, form.dataset.sendingText, "notice");
      send(form, button);
    });
  });
})();
