/* The tests pane: run the draft's cases in the server's sandbox, show sequence-flow coverage on the diagram,
   record a new case by stepping through the draft's user tasks, and deploy (refused while a case fails). */
(function () {
  "use strict";
  var E = window.InkanEditor;
  if (!E) return;
  var pane = document.getElementById("tests");
  var lastReport = null;
  var recording = null;
  var ROLE_WORDS = { madoguchi: "窓口", backyard: "バックヤード", manager: "管理者" };
  var STATUS_WORDS = { running: "実行中", waiting: "待機中", completed: "完了", error: "エラー", suspended: "中断",
                       terminated: "終了" };

  function saved() {
    return E.dirty || !E.draft ? E.save() : Promise.resolve(E.problems.length === 0);
  }

  function summary(report) {
    var passed = report.results.filter(function (r) { return r.passed; }).length;
    return "テスト " + passed + "/" + report.results.length + " 件合格・シーケンスフロー " + report.covered.length +
      "/" + report.flows.length + " 本を通過";
  }

  function showReport(report) {
    lastReport = report;
    E.mark("covered", report.covered);
    E.mark("uncovered", report.uncovered);
    render();
  }

  function runTests() {
    return saved().then(function (ok) {
      if (!ok) { E.status("問題を直してからテストしてください", "error"); return null; }
      E.status("テストを実行しています…（サンドボックスで全ケースを実行）");
      lastReport = null;
      render();
      return E.post(E.root.getAttribute("data-test-url")).then(function (response) {
        if (!response.ok) { E.status("テストできません: " + (response.body.message || response.status), "error"); return null; }
        showReport(response.body);
        E.status(summary(response.body), response.body.passed ? "ok" : "error");
        E.showTab("tests");
        return response.body;
      });
    });
  }

  function caseRow(item) {
    var result = lastReport && lastReport.results.filter(function (r) { return r.id === item.id; })[0];
    var badge = !result ? E.el("span", { "class": "badge badge-muted", text: "未実行" }) :
      E.el("span", { "class": "badge " + (result.passed ? "badge-ok" : "badge-danger"), text: result.passed ? "合格" : "不合格" });
    return E.el("li", { "class": "case", "data-case": item.id }, [badge, " ",
      item.name ? E.el("span", { text: item.name }) : E.el("span", { "class": "mono small", text: item.id }),
      result && !result.passed ? E.el("div", { "class": "error-text small", text: result.message }) : null,
      result && !result.passed && E.mayEdit ? E.el("button", { type: "button",
        "class": "btn btn-sm", text: "記録し直す", "data-action": "rerecord",
        onclick: function () { startRecording(item); } }) : null]);
  }

  function render() {
    pane.textContent = "";
    var cases = (E.cases && E.cases.cases) || [];
    if (lastReport) {
      pane.appendChild(E.el("p", { "class": lastReport.passed ? "ok-text" : "error-text", "data-test-summary": "",
        text: summary(lastReport) }));
      if (lastReport.uncovered.length) {
        pane.appendChild(E.el("p", { "class": "small warn-text", "data-uncovered": "",
          text: "どのケースも通らないフロー（図の橙の破線）: " + lastReport.uncovered.map(E.nameOf).join("、") }));
      }
    }
    var list = E.el("ul", { "class": "case-list" });
    cases.forEach(function (item) { list.appendChild(caseRow(item)); });
    pane.appendChild(list);
    if (!E.mayEdit) return;
    pane.appendChild(E.el("div", { "class": "prop-actions" }, [
      E.el("button", { type: "button", "class": "btn btn-sm", text: "テスト実行", onclick: runTests }),
      E.el("button", { type: "button", "class": "btn btn-sm", text: "ケースを記録", "data-action": "record",
        onclick: function () { startRecording(null); } })]));
    if (recording) pane.appendChild(recorderView());
  }

  /* ---- recorder -------------------------------------------------------------------------------------- */
  /* A new case, or (given a failing case) the same case recorded again to replace it. */
  function startRecording(replaced) {
    saved().then(function (ok) {
      if (!ok) { E.status("問題を直してから記録してください", "error"); return; }
      var n = ((E.cases && E.cases.cases) || []).length + 1;
      recording = replaced && replaced.id ?
        { id: replaced.id, name: replaced.name || replaced.id, applicant: replaced.applicant || "fresh", steps: [],
          replaces: replaced.id } :
        { id: "recorded_" + n, name: "記録したケース " + n, applicant: "fresh", steps: [] };
      step(null);
    });
  }

  function step(pending) {
    E.status("記録中: 下書きを実行しています…");
    var item = { id: recording.id, name: recording.name, applicant: recording.applicant, steps: recording.steps };
    E.post(E.root.getAttribute("data-record-url"), { "case": item, pending: pending }).then(function (response) {
      if (!response.ok) { E.status("記録できません: " + (response.body.message || response.status), "error"); return; }
      recording.steps = response.body["case"].steps;
      recording.replay = response.body.replay;
      E.mark("covered", recording.replay.taken);
      E.status("記録中: 手順 " + recording.steps.length + " 件");
      render();
    });
  }

  function recorderView() {
    var replay = recording.replay || { open_tasks: [] };
    var id = E.el("input", { type: "text", name: "case_id", value: recording.id, "class": "mono" });
    var name = E.el("input", { type: "text", name: "case_name", value: recording.name });
    id.addEventListener("change", function () { recording.id = id.value; });
    name.addEventListener("change", function () { recording.name = name.value; });
    var box = E.el("div", { "class": "recorder", "data-recorder": "" }, [E.el("h4", { text: "ケースの記録" }),
      E.el("label", { "class": "prop" }, [E.el("span", { "class": "prop-label", text: "ケースID" }), id]),
      E.el("label", { "class": "prop" }, [E.el("span", { "class": "prop-label", text: "名前" }), name]),
      E.el("ol", { "class": "small" }, recording.steps.map(function (s) {
        if (s[0] === "$timers") return E.el("li", { text: "時間を進める（" + ((s[2] || {}).days || 0) + "日）" });
        return E.el("li", { text: E.nameOf(s[0]) + "（" + (ROLE_WORDS[s[1]] || s[1]) + "）" });
      }))]);
    if (replay.message) box.appendChild(E.el("p", { "class": "error-text small", text: replay.message }));
    if (replay.status === "running" || replay.status === "waiting") box.appendChild(clockControl());
    var task = replay.open_tasks[0];
    if (task) {
      box.appendChild(E.el("p", { "data-recorder-task": task.spec_name },
        [E.el("strong", { text: task.title }), "（" + task.lane + "）を入力して進めます"]));
      var form = E.el("form", { "class": "recorder-form" });
      box.appendChild(form);
      loadForm(task, form);
    } else if (replay.status) {
      box.appendChild(E.el("p", { text: "終了しました: " + (STATUS_WORDS[replay.status] || replay.status) +
        (replay.end_event ? "（" + E.nameOf(replay.end_event) + "）" : "") }));
      box.appendChild(E.el("button", { type: "button", "class": "btn btn-sm btn-primary", text: "ケースとして追加して保存",
        "data-action": "add-case", onclick: addCase }));
    }
    return box;
  }

  /* Timers: the recorded case moves the clock on (a ["$timers", "", {days}] step) and due timers fire. */
  function clockControl() {
    var days = E.el("input", { type: "number", name: "advance_days", min: "1", max: "3650", value: "31", "class": "input-num" });
    return E.el("div", { "class": "input-row small" }, [E.el("span", { text: "時間を進める（日）" }), days,
      E.el("button", { type: "button", "class": "btn btn-sm", text: "進める", "data-action": "advance-time",
        onclick: function () { step({ timers_days: parseInt(days.value, 10) }); } })]);
  }

  function loadForm(task, form) {
    var document_ = E.forms[task.form_file];
    if (!document_) {
      form.appendChild(submitButton(task, form));
      return;
    }
    E.post(E.root.getAttribute("data-preview-url"), { name: task.form_file, document: document_ }).then(function (r) {
      form.innerHTML = r.ok ? r.body : "";
      form.querySelectorAll("fieldset[disabled]").forEach(function (f) { f.disabled = false; });
      form.querySelectorAll("[data-seal-scan]").forEach(function (scan) {
        var input = scan.querySelector("input[type=file]");
        var name = input.name.replace(/__file$/, "");
        scan.textContent = "";
        scan.appendChild(E.el("input", { type: "text", name: name, value: "$scan:山田", "class": "mono" }));
        scan.appendChild(E.el("div", { "class": "help", text: "$scan:文字[:寸法mm] で印影画像を生成します（$blank は印影なし）" }));
      });
      var resident = form.querySelector("input[name=resident_id]");
      if (resident && !resident.value) resident.value = "$applicant";
      form.appendChild(submitButton(task, form));
    });
  }

  function submitButton(task, form) {
    return E.el("button", { type: "button", "class": "btn btn-sm btn-primary", text: "この入力で進む",
      "data-action": "record-step", onclick: function () {
        var values = {};
        new FormData(form).forEach(function (value, key) { (values[key] = values[key] || []).push(value); });
        form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          if (!(box.name in values) && box.closest(".field-checkbox")) values[box.name] = ["false"];
        });
        step({ spec_name: task.spec_name, role: task.role, form_file: task.form_file, values: values });
      } });
  }

  function addCase() {
    var replay = recording.replay;
    var item = { id: recording.id, name: recording.name, applicant: recording.applicant, steps: recording.steps,
      expect: replay.end_event ? { status: replay.status, end_event: replay.end_event } : { status: replay.status } };
    var cases = E.cases.cases = (E.cases.cases || []).filter(function (c) { return c.id !== recording.replaces; });
    cases.push(item);
    recording = null;
    E.setDirty();
    E.save().then(render);
  }

  /* ---- deploy ---------------------------------------------------------------------------------------- */
  function deploy(confirmUncovered) {
    var panel = E.root.querySelector("[data-deploy-panel]");
    saved().then(function (ok) {
      if (!ok) { E.status("問題を直してから反映してください", "error"); return; }
      E.status("テストを実行してから反映します…");
      E.post(E.root.getAttribute("data-deploy-url"), { confirm_uncovered: !!confirmUncovered }).then(function (response) {
        if (response.ok) { window.location.href = response.body.next; return; }
        var body = response.body || {};
        E.status("反映できません: " + (body.message || response.status), "error");
        panel.hidden = false;
        panel.textContent = "";
        panel.appendChild(E.el("p", { "class": "error-text", "data-deploy-error": body.error || "", text: body.message || "" }));
        if (body.error === "uncovered_flows") {
          var check = E.el("input", { type: "checkbox", name: "confirm_uncovered" });
          panel.appendChild(E.el("p", { "class": "small", text: "どのテストも通らないフロー: " +
            (body.uncovered || []).map(E.nameOf).join("、") }));
          panel.appendChild(E.el("label", { "class": "check" }, [check, " テストで通らないフローがあることを確認しました"]));
          panel.appendChild(E.el("button", { type: "button", "class": "btn btn-primary", text: "確認して反映",
            "data-action": "confirm-deploy", onclick: function () { if (check.checked) deploy(true); } }));
          E.mark("uncovered", body.uncovered || []);
        }
        if (body.error === "tests_failed") runTests();
      });
    });
  }

  /* Before deploying: what changes against the version new cases start on now, and a yes / no. */
  function askDeploy() {
    var panel = E.root.querySelector("[data-deploy-panel]");
    saved().then(function (ok) {
      if (!ok) { E.status("問題を直してから反映してください", "error"); return; }
      return fetch(E.root.getAttribute("data-changes-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (changes) { showChanges(panel, changes); });
    });
  }

  function showChanges(panel, changes) {
    panel.hidden = false;
    panel.textContent = "";
    panel.setAttribute("data-deploy-confirm", "");
    panel.appendChild(E.el("h3", { "class": "sub-title", text: "反映の確認" }));
    var against = changes.against;
    panel.appendChild(E.el("p", { text: against ? "いま新しい事案に使われている版（" + E.jst(against.created_at) +
      " 登録" + (against.note ? "・" + against.note : "") + "）からの変更です。反映すると、これから始まる事案はこの下書きの内容で進みます。" +
      "進行中の事案は開始したときの版のまま進みます。" : "この業務フローの最初の版として反映します。" }));
    var rows = (changes.elements || []).concat(changes.forms || []);
    if (!rows.length) {
      panel.appendChild(E.el("p", { "class": "warn-text", "data-no-changes": "",
        text: "いまの版と内容に違いはありません（図の配置だけの違いは数えません）。" }));
    } else {
      var table = E.el("table", { "class": "grid compact", "data-change-list": "" }, [
        E.el("thead", {}, [E.el("tr", {}, [E.el("th", { text: "変更" }), E.el("th", { text: "要素" }),
          E.el("th", { text: "種類" }), E.el("th", { text: "内容" })])])]);
      var body = E.el("tbody");
      rows.forEach(function (c) {
        var tone = c.change === "added" ? "ok" : c.change === "removed" ? "danger" : "warn";
        var row = E.el("tr", { "data-change": c.change, "data-element": c.element_id }, [
          E.el("td", {}, [E.el("span", { "class": "badge badge-" + tone, text: c.change_label })]),
          E.el("td", { text: c.name }), E.el("td", { "class": "small", text: c.kind }),
          E.el("td", { "class": "small", text: (c.details || []).join("、") })]);
        if (c.kind !== "フォーム") row.addEventListener("click", function () { E.reveal(c.element_id); });
        body.appendChild(row);
      });
      table.appendChild(body);
      panel.appendChild(table);
    }
    panel.appendChild(E.el("p", { "class": "small muted", text: "反映の前にサーバでテストを実行します。不合格のケースがあると反映されません。" }));
    panel.appendChild(E.el("div", { "class": "prop-actions" }, [
      E.el("button", { type: "button", "class": "btn btn-primary", text: "反映する", "data-action": "confirm-changes",
        onclick: function () { deploy(false); } }),
      E.el("button", { type: "button", "class": "btn", text: "やめる", "data-action": "cancel-deploy",
        onclick: function () { panel.hidden = true; panel.textContent = ""; E.status("反映をやめました"); } })]));
    panel.scrollIntoView({ block: "nearest" });
    E.status("変更内容を確認してから反映してください", "warn");
  }

  E.on("loaded", render);
  E.root.querySelectorAll("[data-action=test]").forEach(function (b) { b.addEventListener("click", runTests); });
  E.root.querySelectorAll("[data-action=deploy]").forEach(function (b) { b.addEventListener("click", askDeploy); });
})();
