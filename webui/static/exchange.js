/* 移行データの取込: the progress bar with phase and ETA (polls the run's JSON); reloads once to show the report. */
(function () {
  "use strict";
  var box = document.querySelector("[data-exchange-status]");
  if (!box) return;
  var url = box.getAttribute("data-exchange-status");
  var bar = box.querySelector("[data-exchange-bar]");
  function text(selector, value) { box.querySelector(selector).textContent = value; }
  function show(run) {
    bar.max = Math.max(run.total, 1);
    bar.value = run.done;
    bar.textContent = run.done + " / " + run.total;
    text("[data-exchange-label]", run.status_label);
    text("[data-exchange-phase]", run.finished ? "" : run.phase_label);
    text("[data-exchange-count]", run.done.toLocaleString("ja-JP") + " / " + run.total.toLocaleString("ja-JP") + " 件");
    text("[data-exchange-eta]", run.eta_label);
    text("[data-exchange-message]", run.message);
    if (run.finished) {
      if (!document.querySelector("[data-exchange-problems]")) window.location.reload();
      return;
    }
    window.setTimeout(poll, 700);
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(show)
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (!document.querySelector("[data-exchange-problems]")) poll();
})();
