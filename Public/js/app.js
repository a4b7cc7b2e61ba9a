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

  // Bulk sync: follow the progress without reloading; reload once it has ended to show the
  // summary. Without JavaScript the page has a link to refresh.
  var running = document.querySelector("[data-sync-running]");
  if (running) {
    var bar = document.getElementById("sync-progress");
    var text = document.getElementById("sync-text");
    var active = document.getElementById("sync-active");
    var poll = function () {
      fetch(running.dataset.progress, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { window.setTimeout(poll, 2000); return; }
          if (state.phase !== "running" && state.phase !== "cancelling") { window.location.replace(running.dataset.done); return; }
          bar.max = state.total; bar.value = state.done; bar.textContent = state.percent + "%";
          text.textContent = state.text;
          active.textContent = state.active;
          window.setTimeout(poll, 400);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    window.setTimeout(poll, 400);
  }

  // Draft entries: debit and credit totals and the difference follow the typing. The server
  // computes the same on every save; this is only a preview.
  var entry = document.getElementById("entry-form");
  if (!entry) { return; }
  function cents(text) {
    var value = (text || "").replace(/[\s€]/g, "");
    if (value === "") { return 0; }
    if (value.indexOf(",") >= 0) { value = value.replace(/\./g, "").replace(",", "."); }
    else if (/^\d{1,3}(\.\d{3})+$/.test(value)) { value = value.replace(/\./g, ""); }
    if (!/^\d+(\.\d{0,2})?$/.test(value)) { return NaN; }
    var parts = value.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }
  function dutch(c) {
    var negative = c < 0; c = Math.abs(c);
    var euros = String(Math.floor(c / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var rest = String(c % 100).padStart(2, "0");
    return (negative ? "-" : "") + euros + "," + rest;
  }
  function update() {
    var debit = 0, credit = 0, valid = true;
    entry.querySelectorAll("tbody tr").forEach(function (tr) {
      var remove = tr.querySelector("input[name^=remove_]");
      if (remove && remove.checked) { return; }
      var d = cents((tr.querySelector("input[name^=debit_]") || {}).value);
      var c = cents((tr.querySelector("input[name^=credit_]") || {}).value);
      if (isNaN(d) || isNaN(c)) { valid = false; return; }
      debit += d; credit += c;
    });
    if (!valid) { return; }
    document.getElementById("debit-total").textContent = dutch(debit);
    document.getElementById("credit-total").textContent = dutch(credit);
    var diff = debit - credit;
    var cell = document.getElementById("difference");
    cell.textContent = diff === 0 ? "0,00 — in balans"
      : dutch(Math.abs(diff)) + " — er ontbreekt € " + dutch(Math.abs(diff)) + (diff > 0 ? " credit" : " debet");
    cell.parentElement.className = diff === 0 ? "balanced" : "unbalanced";
  }
  entry.addEventListener("input", update);
  entry.addEventListener("change", update);
})();
