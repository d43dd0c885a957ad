// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  // A form marked data-kz-once submits once: a double click must not send two reports.
  // (The server is idempotent as well; this spares the second request.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-kz-once")) return;
    if (form.dataset.kzSubmitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.kzSubmitted = "1";
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-disabled", "true");
  });
  // Move focus to the error summary so screen-reader users hear what to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".utrecht-alert--error[tabindex='-1']");
    if (summary) summary.focus();
  });
})();
