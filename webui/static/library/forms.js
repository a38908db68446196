/* The forms pane: a task form's JSON Schema + UI hints, a helper that adds a field without writing JSON, and a live
   preview drawn by the server with the clerk's own task-form renderer. */
(function () {
  "use strict";
  var E = window.InkanEditor;
  if (!E) return;
  var pane = document.getElementById("forms");
  var selected = "";
  var previewTimer = null;
  var TYPES = [
    { value: "string", label: "文字" }, { value: "textarea", label: "文章（複数行）" },
    { value: "integer", label: "整数" }, { value: "boolean", label: "はい／いいえ（チェック）" },
    { value: "choice", label: "選択肢" }, { value: "date", label: "日付" }
  ];

  E.newForm = function (suffix) {
    var base = (E.draft.process_id + "." + (suffix || "form")).replace(/[^A-Za-z0-9_.-]/g, "_");
    var name = base + ".json", n = 2;
    while (E.forms[name]) { name = base + "_" + n + ".json"; n += 1; }
    E.forms[name] = { title: "新しいフォーム", function_id: "", schema: {
      "$schema": "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {}, required: [],
      additionalProperties: false }, ui: { order: [], widgets: {}, help: {}, show: [] } };
    E.setDirty();
    return name;
  };

  function addField(name, title, type, required, choices) {
    var form = E.forms[selected];
    var prop = { title: title || name };
    var ui = form.ui = form.ui || {};
    ui.order = ui.order || []; ui.widgets = ui.widgets || {};
    if (type === "textarea") { prop.type = "string"; prop.maxLength = 400; ui.widgets[name] = "textarea"; }
    else if (type === "choice") {
      prop.type = "string";
      prop.oneOf = choices.split(/[,、]/).map(function (c) {
        var parts = c.split(":");
        return { "const": parts[0].trim(), title: (parts[1] || parts[0]).trim() };
      }).filter(function (c) { return c["const"]; });
      ui.widgets[name] = "radio";
    } else if (type === "date") { prop.type = "string"; prop.format = "date"; }
    else if (type === "boolean") { prop.type = "boolean"; ui.widgets[name] = "checkbox"; }
    else prop.type = type;
    form.schema.properties[name] = prop;
    if (ui.order.indexOf(name) < 0) ui.order.push(name);
    if (required) {
      form.schema.required = form.schema.required || [];
      if (form.schema.required.indexOf(name) < 0) form.schema.required.push(name);
    }
    E.setDirty();
    render();
  }

  function adder() {
    var name = E.el("input", { type: "text", name: "field_name", placeholder: "項目名（英数字）", "class": "mono" });
    var title = E.el("input", { type: "text", name: "field_title", placeholder: "表示名" });
    var type = E.el("select", { name: "field_type" });
    TYPES.forEach(function (t) { type.appendChild(E.el("option", { value: t.value, text: t.label })); });
    var choices = E.el("input", { type: "text", name: "field_choices", placeholder: "選択肢（値:表示名, …）" });
    var required = E.el("input", { type: "checkbox", name: "field_required" });
    var message = E.el("span", { "class": "error-text small" });
    var button = E.el("button", { type: "button", "class": "btn btn-sm", text: "項目を追加", "data-action": "add-field",
      onclick: function () {
        if (!/^[a-z][a-z0-9_]{0,40}$/.test(name.value)) { message.textContent = "項目名は英小文字で始まる英数字・_ にしてください"; return; }
        addField(name.value, title.value, type.value, required.checked, choices.value);
      } });
    return E.el("fieldset", { "class": "field-adder" }, [E.el("legend", { text: "項目を追加" }), name, title, type, choices,
      E.el("label", { "class": "check" }, [required, " 必須"]), button, message]);
  }

  function preview(box) {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () {
      E.post(E.root.getAttribute("data-preview-url"), { name: selected, document: E.forms[selected] })
        .then(function (response) {
          if (response.ok) { box.innerHTML = response.body; box.classList.remove("is-error"); }
          else { box.textContent = response.body.message || "プレビューできません"; box.classList.add("is-error"); }
        });
    }, 250);
  }

  function render() {
    pane.textContent = "";
    var names = Object.keys(E.forms).sort();
    if (!selected || !E.forms[selected]) selected = names[0] || "";
    var chooser = E.el("select", { name: "form", "data-form-select": "" });
    names.forEach(function (n) {
      var option = E.el("option", { value: n, text: n });
      if (n === selected) option.selected = true;
      chooser.appendChild(option);
    });
    chooser.addEventListener("change", function () { selected = chooser.value; render(); });
    pane.appendChild(E.el("label", { "class": "prop" }, [E.el("span", { "class": "prop-label", text: "フォームファイル" }), chooser]));
    if (!selected) { pane.appendChild(E.el("p", { "class": "muted", text: "フォームがありません。ユーザタスクの要素パネルから作成します。" })); return; }
    if (E.mayEdit) pane.appendChild(adder());
    var source = E.el("textarea", { name: "form_json", rows: "14", "class": "mono form-json", spellcheck: "false" });
    source.value = JSON.stringify(E.forms[selected], null, 2);
    source.disabled = !E.mayEdit;
    var parseError = E.el("div", { "class": "error-text small", "data-json-error": "" });
    var box = E.el("div", { "class": "preview-box", "data-form-preview": "" });
    source.addEventListener("input", function () {
      try {
        E.forms[selected] = JSON.parse(source.value);
        parseError.textContent = "";
        E.setDirty();
        preview(box);
      } catch (error) { parseError.textContent = "JSONとして読めません: " + error.message; }
    });
    pane.appendChild(E.el("details", { "class": "json-details" }, [
      E.el("summary", { text: "JSON Schema と表示の指定（ui）を直接編集" }), source, parseError]));
    pane.appendChild(E.el("h4", { "class": "preview-head", text: "窓口・バックヤードの職員に見える画面（プレビュー）" }));
    pane.appendChild(box);
    preview(box);
  }

  E.on("loaded", render);
  E.on("form-selected", function (name) { selected = name; render(); E.showTab("forms"); });
})();
