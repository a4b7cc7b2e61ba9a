// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || form.querySelector("button[type=submit]");
    // Ask before destructive or far-reaching actions (without JavaScript the server asks on a page).
    var question = submitter && submitter.getAttribute("data-confirm");
    if (question) {
      if (!window.confirm(question)) { event.preventDefault(); return; }
      var confirmed = form.querySelector("input[data-confirmed]");
      if (confirmed) { confirmed.value = "1"; }
    }
    // A double click sends the form once (the server refuses duplicates anyway).
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    var buttons = form.querySelectorAll("button[data-once]");
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });
})();
