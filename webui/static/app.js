/* 印鑑登録システム — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value == null ? "" : String(value);
    if (className) el.className = className;
    return el;
  }

  /* 「自分の担当のみ」 and similar: submit the filter form on change. */
  function autosubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (input) {
      input.addEventListener("change", function () { input.form.submit(); });
    });
  }

  /* Confirm before dangerous posts (再実行). */
  function confirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  /* 「前の画面へ戻る」 on error pages: back in history when there is one (the link goes to the inbox otherwise). */
  function historyBack() {
    document.querySelectorAll("[data-history-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
      });
    });
  }

  /* Avoid double completion: disable submit buttons once a form is sent. */
  function singleSubmit() {
    document.querySelectorAll("form.task-form").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.textContent = "処理中…"; });
        }, 0);
      });
    });
  }

  /* resident-search widget: an inline 2.1.3 lookup that fills the resident id. */
  function residentSearch(root) {
    var target = root.querySelector("[data-target]");
    var panel = root.querySelector("[data-panel]");
    var query = root.querySelector("[data-query]");
    var message = root.querySelector("[data-message]");
    var table = root.querySelector("[data-results]");
    var picked = root.querySelector("[data-picked]");
    var url = root.getAttribute("data-lookup-url");

    function open() {
      panel.hidden = false;
      if (!query.value && target.value) query.value = target.value;
      query.focus();
    }
    function close() { panel.hidden = true; }

    function choose(person) {
      target.value = person.resident_id;
      close();
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(data) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      message.textContent = data.message || (data.results.length + " 件見つかりました");
      table.hidden = data.results.length === 0;
      data.results.forEach(function (person) {
        var row = document.createElement("tr");
        row.appendChild(text("td", person.resident_id, "mono"));
        row.appendChild(text("td", person.name, "strong"));
        row.appendChild(text("td", person.kana));
        row.appendChild(text("td", person.birth_wareki, "nowrap"));
        row.appendChild(text("td", person.address));
        var cell = document.createElement("td");
        var button = text("button", "選択", "btn btn-sm btn-primary");
        button.type = "button";
        button.addEventListener("click", function () { choose(person); });
        cell.appendChild(button);
        row.appendChild(cell);
        body.appendChild(row);
      });
    }

    function search() {
      var q = query.value.trim();
      if (!q) { message.textContent = "氏名・カナ・住民IDのいずれかを入力してください"; return; }
      message.textContent = "検索しています…";
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(render)
        .catch(function () { message.textContent = "検索できませんでした。もう一度お試しください"; });
    }

    /* Show who the typed or prefilled id is, so the clerk sees the name before completing. */
    function describe() {
      var id = target.value.trim();
      picked.textContent = "";
      if (!/^[0-9A-Za-z]{1,20}$/.test(id)) return;
      fetch(url + "?q=" + encodeURIComponent(id), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var person = data.results.filter(function (p) { return p.resident_id === id; })[0];
          picked.textContent = person
            ? person.name + "（" + person.kana + "）" + person.birth_wareki + "生　" + person.address
            : "住民IDに該当する在住者が見つかりません";
        })
        .catch(function () { picked.textContent = ""; });
    }

    target.addEventListener("change", describe);
    if (target.value) describe();
    root.querySelector("[data-open]").addEventListener("click", open);
    root.querySelector("[data-close]").addEventListener("click", close);
    root.querySelector("[data-search]").addEventListener("click", search);
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }
      if (event.key === "Escape") close();
    });
  }

  /* seal-scan widget: preview the chosen image before sending. */
  function sealScan(root) {
    var input = root.querySelector("[data-file]");
    var preview = root.querySelector("[data-preview]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\/(png|jpeg)$/.test(file.type)) { preview.hidden = true; return; }
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
    });
  }

  /* 4.1.5.1 読み取る / 読み直す: send the chosen scan to be measured and shown, without completing the task. A plain
     button, so Enter in the form keeps its usual default (この印影で進む after a reading, else 完了する). */
  function scanRead(button) {
    button.addEventListener("click", function () {
      var form = button.form, field = document.createElement("input");
      field.type = "hidden"; field.name = "scan_field"; field.value = button.value;
      form.appendChild(field);
      form.action = button.getAttribute("data-scan-read");
      form.submit();
    });
  }

  /* A download the 閲覧の目的 question held back: it starts from the page its link was on. */
  function heldDownloads() {
    document.querySelectorAll("[data-auto-download]").forEach(function (link) { link.click(); });
  }

  ready(function () {
    heldDownloads();
    autosubmit();
    confirms();
    historyBack();
    singleSubmit();
    document.querySelectorAll("[data-resident-search]").forEach(residentSearch);
    document.querySelectorAll("[data-seal-scan]").forEach(sealScan);
    document.querySelectorAll("button[data-scan-read]").forEach(scanRead);
  });
})();
