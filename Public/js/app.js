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

  // "Afdrukken": the browser's print dialog (the print style hides menus and buttons).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // "Alles kiezen": ticks or clears every checkbox of that name in the form; a button with
  // `data-select-marked="x"` ticks the boxes marked `data-x` (e.g. every row without a journal run).
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.getAttribute("data-select-all");
      box.form.querySelectorAll("input[type=checkbox][name=\"" + name + "\"]").forEach(function (b) { b.checked = box.checked; });
    });
  });
  document.querySelectorAll("[data-select-marked]").forEach(function (button) {
    button.addEventListener("click", function () {
      var mark = "data-" + button.getAttribute("data-select-marked");
      button.form.querySelectorAll("input[" + mark + "]").forEach(function (b) { b.checked = true; });
    });
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

  // Sortable tables (`data-sortable`): a click on a header sorts the rows of the table by that
  // column, again for the other way round. Amounts (1.234,56), dates (31-01-2026) and numbers
  // sort as such; a row with `data-fixed` (subtotals) stays at the end, `data-fixed="top"` at the top.
  function sortKey(text) {
    var t = (text || "").trim();
    var date = /^(\d{2})-(\d{2})-(\d{4})/.exec(t);
    if (date) { return { n: Number(date[3] + date[2] + date[1]) }; }
    var amount = t.replace(/[\s€]/g, "");
    if (/^-?[\d.]+(,\d+)?$/.test(amount) && /\d/.test(amount)) { return { n: Number(amount.replace(/\./g, "").replace(",", ".")) }; }
    return { s: t.toLocaleLowerCase("nl") };
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    Array.prototype.forEach.call(head.cells, function (th, column) {
      if (th.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.cells, function (other) { if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); } });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var rows = Array.prototype.filter.call(body.rows, function (row) { return !row.hasAttribute("data-fixed"); });
          rows.sort(function (a, b) {
            var x = sortKey(a.cells[column] && a.cells[column].textContent), y = sortKey(b.cells[column] && b.cells[column].textContent);
            var order = (x.n !== undefined && y.n !== undefined) ? x.n - y.n : String(x.s !== undefined ? x.s : x.n).localeCompare(String(y.s !== undefined ? y.s : y.n), "nl");
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
          var fixed = Array.prototype.filter.call(body.rows, function (row) { return row.hasAttribute("data-fixed"); });
          fixed.forEach(function (row) { body.appendChild(row); });
          fixed.filter(function (row) { return row.getAttribute("data-fixed") === "top"; }).reverse()
            .forEach(function (row) { body.insertBefore(row, body.firstChild); });
        });
      });
    });
  });

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
    var debit = 0, credit = 0, unreadable = [];
    entry.querySelectorAll("tbody tr").forEach(function (tr, row) {
      var remove = tr.querySelector("input[name^=remove_]");
      var removed = remove && remove.checked;
      ["debit_", "credit_"].forEach(function (side) {
        var input = tr.querySelector("input[name^=" + side + "]");
        if (!input) { return; }
        var value = cents(input.value);
        // An amount that is not one (12,3,4 or abc) is marked, never counted as something.
        var bad = !removed && isNaN(value);
        input.classList.toggle("unparseable", bad);
        if (bad) { unreadable.push(row + 1); return; }
        if (removed) { return; }
        if (side === "debit_") { debit += value; } else { credit += value; }
      });
    });
    var cell = document.getElementById("difference");
    if (unreadable.length) {
      document.getElementById("debit-total").textContent = "?";
      document.getElementById("credit-total").textContent = "?";
      cell.textContent = "Onleesbaar bedrag in regel " + unreadable.filter(function (v, i, a) { return a.indexOf(v) === i; }).join(", ") + " (bijvoorbeeld 1.234,56)";
      cell.parentElement.className = "unbalanced";
      return;
    }
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
