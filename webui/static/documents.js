/* Printed documents: print the PDF shown in a frame, and the batch print progress bar (polls its JSON). */
(function () {
  "use strict";

  /* 「印刷」: the browser's print dialog for the PDF in the preview frame (falls back to a new tab). */
  function printButtons() {
    document.querySelectorAll("[data-print-frame]").forEach(function (button) {
      button.addEventListener("click", function () {
        var frame = document.getElementById(button.getAttribute("data-print-frame"));
        try {
          frame.contentWindow.focus();
          frame.contentWindow.print();
        } catch (e) {
          window.open(frame.src, "_blank", "noopener");
        }
      });
    });
  }

  function batchProgress() {
    var box = document.querySelector("[data-batch-status]");
    if (!box) return;
    var url = box.getAttribute("data-batch-status");
    var bar = box.querySelector("[data-batch-bar]");
    var count = box.querySelector("[data-batch-count]");
    var label = box.querySelector("[data-batch-label]");
    var message = box.querySelector("[data-batch-message]");
    var cancel = box.querySelector("[data-batch-cancel]");
    function show(job) {
      bar.max = Math.max(job.total, 1);
      bar.value = job.done;
      bar.textContent = job.done + " / " + job.total;
      count.textContent = job.done + " / " + job.total + " 件" + (job.failed ? "（印刷できない帳票 " + job.failed + " 件）" : "");
      label.textContent = job.status_label;
      message.textContent = job.message || "";
      if (job.finished) {
        if (cancel) cancel.hidden = true;
        if (job.pdf_url) box.querySelectorAll("[data-batch-pdf],[data-batch-download]").forEach(function (a) { a.hidden = false; });
        return;
      }
      window.setTimeout(poll, 700);
    }
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(show)
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }

  printButtons();  // the script is loaded with defer: the page is parsed
  batchProgress();
})();
