// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // A submit button marked data-once is disabled after the first click, so a double click
  // sends the form once (the server refuses duplicates anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    var buttons = form.querySelectorAll("button[data-once]");
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });
})();
