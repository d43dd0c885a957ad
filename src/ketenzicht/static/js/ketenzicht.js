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
  // Public form: once a municipality with its own theme is chosen, wear its look at once
  // (the server does the same when the form comes back, and at /melden/<cbs-code>/).
  function themeFor(name) {
    var map = document.getElementById("kz-themes");
    if (!map || !map.content) return null;
    var wanted = name.trim().toLowerCase();
    var spans = map.content.querySelectorAll("span[data-gemeente]");
    for (var i = 0; i < spans.length; i++) {
      if (spans[i].dataset.gemeente.toLowerCase() === wanted) return spans[i].dataset;
    }
    return null;
  }
  function wear(theme) {
    var root = document.documentElement;
    var link = document.getElementById("kz-theme-css");
    var brand = document.querySelector(".kz-brand");
    if (!theme) {
      if (link) link.parentNode.removeChild(link);
      root.classList.remove("kz-org-theme");
      if (brand) brand.textContent = "Ketenzicht";
      return;
    }
    if (!link) {
      link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "kz-theme-css";
      document.head.appendChild(link);
    }
    link.href = theme.css;
    root.classList.add("kz-org-theme");
    if (brand) {
      brand.textContent = "";
      if (theme.logo) {
        var img = document.createElement("img");
        img.className = "kz-logo";
        img.src = theme.logo;
        img.alt = "";
        img.width = 40;
        img.height = 40;
        brand.appendChild(img);
        brand.appendChild(document.createTextNode(" "));
      }
      brand.appendChild(document.createTextNode("Ketenzicht "));
      var org = document.createElement("span");
      org.className = "kz-brand__org";
      org.textContent = "· " + theme.naam;
      brand.appendChild(org);
    }
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.getAttribute || input.getAttribute("list") !== "kz-gemeenten") return;
    wear(themeFor(input.value));
  });
})();
