// The payout run page: poll the run's progress while it computes (no inline script: CSP).
(function () {
  var panel = document.getElementById("run-panel");
  if (!panel || panel.dataset.state !== "computing") return;
  var bar = document.getElementById("run-progress");
  var text = document.getElementById("run-progress-text");
  var stateEl = document.getElementById("run-state");
  var errorEl = document.getElementById("run-error");
  function poll() {
    fetch(panel.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.max = p.total || 1;
        bar.value = p.done;
        text.textContent = p.total ? p.done + " of " + p.total + " partners" : "waiting for a worker";
        stateEl.textContent = p.state;
        if (p.error) { errorEl.textContent = p.error; errorEl.hidden = false; }
        if (p.state !== "computing") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
