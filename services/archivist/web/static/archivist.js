// Capture status: poll each unfinished capture until it is archived or has failed, updating its
// row in place. Without JavaScript the page refreshes itself (<noscript> meta refresh) instead.
(function () {
  "use strict";
  var finished = { archived: true, failed: true };
  var summary = document.getElementById("status-summary");

  function pending() {
    return Array.prototype.filter.call(document.querySelectorAll("tr[data-capture]"), function (row) {
      return !finished[row.getAttribute("data-status")];
    });
  }

  function show(row, capture) {
    var status = row.querySelector('[data-field="status"]');
    row.setAttribute("data-status", capture.status);
    status.textContent = capture.status;
    status.className = "status status-" + capture.status;
    // A failure's reason and message; an archived capture's message names the pages it lacks.
    row.querySelector('[data-field="reason"]').textContent = capture.reason
      ? capture.reason + ": " + (capture.message || "") : (capture.message || "");
    row.querySelector('[data-field="links"]').hidden = capture.status !== "archived";
  }

  function poll() {
    var rows = pending();
    if (!rows.length) {
      summary.textContent = "Done.";
      return;
    }
    Promise.all(rows.map(function (row) {
      return fetch("/v1/captures/" + encodeURIComponent(row.getAttribute("data-capture")), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (capture) { if (capture) { show(row, capture); } })
        .catch(function () { /* try again on the next round */ });
    })).then(function () { window.setTimeout(poll, 1000); });
  }

  poll();
})();
