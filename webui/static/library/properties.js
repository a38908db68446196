/* The properties side panel: what the engine needs of the selected element, edited through the modeling API
   (undoable), so a manager never types XML: name, function ID + documentation, lane, form file, service operator
   with its parameters, timer expression, message name, condition. */
(function () {
  "use strict";
  var E = window.InkanEditor;
  if (!E) return;
  var FORM_PROPERTY = "formJsonSchemaFilename";
  var FID = /^\s*([0-9]+(?:\.[0-9]+)*)\s*(.*)$/;
  var pane = document.getElementById("props");
  var TYPE_LABELS = {
    "bpmn:UserTask": "ユーザタスク（職員の作業）", "bpmn:ManualTask": "手作業", "bpmn:ServiceTask": "サービスタスク（自動処理）",
    "bpmn:Task": "タスク（種類未設定）", "bpmn:ExclusiveGateway": "分岐（排他ゲートウェイ）",
    "bpmn:ParallelGateway": "並行ゲートウェイ", "bpmn:StartEvent": "開始イベント", "bpmn:EndEvent": "終了イベント",
    "bpmn:IntermediateCatchEvent": "中間イベント（待ち）", "bpmn:BoundaryEvent": "境界イベント",
    "bpmn:SequenceFlow": "シーケンスフロー", "bpmn:Lane": "レーン", "bpmn:Participant": "プール"
  };
  var current = null;

  function service(name) { return E.modeler.get(name); }
  function bo(element) { return element.businessObject; }
  function is(element, type) { return bo(element).$instanceOf(type); }

  function field(label, input, help) {
    return E.el("label", { "class": "prop" }, [E.el("span", { "class": "prop-label", text: label }), input,
      help ? E.el("span", { "class": "prop-help", text: help }) : null]);
  }

  function textInput(name, value, onChange, attrs) {
    var input = E.el("input", Object.assign({ type: "text", name: name, value: value || "" }, attrs || {}));
    input.disabled = !E.mayEdit;
    input.addEventListener("change", function () { onChange(input.value); });
    return input;
  }

  function select(name, options, value, onChange) {
    var input = E.el("select", { name: name });
    options.forEach(function (option) {
      var node = E.el("option", { value: option.value, text: option.label });
      if (option.value === value) node.selected = true;
      input.appendChild(node);
    });
    input.disabled = !E.mayEdit;
    input.addEventListener("change", function () { onChange(input.value); });
    return input;
  }

  function update(element, props) { service("modeling").updateProperties(element, props); }

  /* ---- extension elements ---------------------------------------------------------------------------- */
  function extensionValues(element) {
    var ext = bo(element).extensionElements;
    return ext ? (ext.values || []).slice() : [];
  }

  function setExtension(element, type, replacement) {
    var moddle = service("moddle");
    var values = extensionValues(element).filter(function (v) { return v.$type !== type; });
    if (replacement) values.push(replacement);
    update(element, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: values }) });
  }

  function formFile(element) {
    var props = extensionValues(element).filter(function (v) { return v.$type === "spiffworkflow:Properties"; })[0];
    var prop = props && (props.values || []).filter(function (p) { return p.name === FORM_PROPERTY; })[0];
    return prop ? prop.value : "";
  }

  function setFormFile(element, name) {
    var moddle = service("moddle");
    var props = name ? moddle.create("spiffworkflow:Properties", {
      values: [moddle.create("spiffworkflow:Property", { name: FORM_PROPERTY, value: name })] }) : null;
    setExtension(element, "spiffworkflow:Properties", props);
  }

  function operatorOf(element) {
    return extensionValues(element).filter(function (v) { return v.$type === "spiffworkflow:ServiceTaskOperator"; })[0];
  }

  function setOperator(element, operatorId, params, resultVariable) {
    var moddle = service("moddle");
    var handler = E.handlers.filter(function (h) { return h.operator_id === operatorId; })[0];
    if (!handler) { setExtension(element, "spiffworkflow:ServiceTaskOperator", null); return; }
    // An optional parameter left empty is left out: the handler then uses its default, and "" is no expression
    var parameters = handler.parameters.filter(function (p) { return p.required || (params[p.name] || "").trim(); })
      .map(function (p) {
        return moddle.create("spiffworkflow:Parameter", { id: p.name, type: PYTHON_TYPES[(p.schema || {}).type] || "str",
                                                          value: params[p.name] || "" });
      });
    var operator = moddle.create("spiffworkflow:ServiceTaskOperator", {
      id: operatorId, resultVariable: resultVariable || undefined,
      parameterList: moddle.create("spiffworkflow:Parameters", { parameters: parameters }) });
    setExtension(element, "spiffworkflow:ServiceTaskOperator", operator);
  }

  /* ---- sections -------------------------------------------------------------------------------------- */
  function generalSection(element) {
    var doc = (bo(element).documentation || [])[0];
    var match = FID.exec((doc && doc.text) || "") || [null, "", (doc && doc.text) || ""];
    var fid = textInput("function_id", match[1], function () { writeDoc(); }, { placeholder: "例: 4.1.2.1", "class": "mono" });
    var text = E.el("textarea", { name: "documentation", rows: "3" });
    text.value = match[2] || "";
    text.disabled = !E.mayEdit;
    text.addEventListener("change", function () { writeDoc(); });
    function writeDoc() {
      var body = [fid.value.trim(), text.value.trim()].filter(Boolean).join(" ");
      var moddle = service("moddle");
      update(element, { documentation: body ? [moddle.create("bpmn:Documentation", { text: body })] : [] });
    }
    return [
      field("要素ID", E.el("input", { type: "text", value: element.id, readonly: "readonly", "class": "mono" })),
      field("名前", textInput("name", bo(element).name, function (v) { update(element, { name: v }); })),
      field("機能ID", fid, "標準仕様書の機能ID（4.1.2.2、6.1 など）。説明の先頭に付きます"),
      field("説明（documentation）", text)
    ];
  }

  function lanes() {
    return service("elementRegistry").filter(function (e) { return e.type === "bpmn:Lane"; });
  }

  function laneOf(element) {
    var cx = element.x + element.width / 2, cy = element.y + element.height / 2;
    return lanes().filter(function (lane) {
      return cx >= lane.x && cx <= lane.x + lane.width && cy >= lane.y && cy <= lane.y + lane.height &&
        !(lane.children || []).some(function (c) { return c.type === "bpmn:Lane"; });
    })[0];
  }

  /* The lane whose flowNodeRef lists the element (what the engine reads), not merely the one drawn around it. */
  function laneOfRefs(element) {
    return lanes().filter(function (lane) { return (bo(lane).flowNodeRef || []).indexOf(bo(element)) >= 0; })[0];
  }

  function leaveLanes(element) {
    lanes().forEach(function (lane) {
      var refs = bo(lane).flowNodeRef || [];
      if (refs.indexOf(bo(element)) >= 0) {
        service("modeling").updateModdleProperties(lane, bo(lane),
          { flowNodeRef: refs.filter(function (r) { return r !== bo(element); }) });
      }
    });
  }

  function laneSection(element) {
    var currentLane = laneOfRefs(element) || laneOf(element);
    var options = [{ value: "", label: "（レーンなし）" }].concat(lanes().map(function (lane) {
      return { value: lane.id, label: bo(lane).name || lane.id };
    }));
    return [field("レーン", select("lane", options, laneOfRefs(element) ? currentLane.id : "", function (laneId) {
      var lane = service("elementRegistry").get(laneId);
      leaveLanes(element);
      if (!lane) return;
      if (laneOf(element) === lane) {
        service("modeling").updateModdleProperties(lane, bo(lane),
          { flowNodeRef: (bo(lane).flowNodeRef || []).concat([bo(element)]) });
      } else {  /* drawn elsewhere: move it into the lane (bpmn-js then updates the lane's references) */
        var dy = (lane.y + lane.height / 2) - (element.y + element.height / 2);
        service("modeling").moveShape(element, { x: Math.max(0, lane.x + 40 - element.x), y: dy });
      }
      E.emit("selection", element);
    }), "ユーザタスクは必ず窓口かバックヤードのレーンに置きます")];
  }

  function formSection(element) {
    var names = Object.keys(E.forms).sort();
    var options = [{ value: "", label: "（フォームなし）" }].concat(names.map(function (n) {
      return { value: n, label: n + "（" + (E.forms[n].title || "") + "）" };
    }));
    var chosen = formFile(element);
    var box = [field("フォーム", select("form_file", options, chosen, function (name) {
      setFormFile(element, name);
      E.emit("form-selected", name);
    }))];
    if (E.mayEdit) {
      box.push(E.el("div", { "class": "prop-actions" }, [
        E.el("button", { type: "button", "class": "btn btn-sm", text: "新しいフォームを作る", "data-action": "new-form",
          onclick: function () {
            var name = E.newForm(element.id.replace(/^task_/, ""));
            if (name) { setFormFile(element, name); E.emit("form-selected", name); }
          } }),
        chosen ? E.el("button", { type: "button", "class": "btn btn-sm btn-ghost", text: "フォームを編集",
          onclick: function () { E.emit("form-selected", chosen); } }) : null
      ]));
    }
    return box;
  }

  var PYTHON_TYPES = { string: "str", integer: "int", number: "float", boolean: "bool", object: "dict", array: "list" };
  var TYPE_WORDS = { string: "文字列", integer: "整数", number: "数値", boolean: "真偽値（true / false）",
                     object: "オブジェクト", array: "リスト" };

  /* The operator's declaration in words: 「1〜365の整数」, 「'self'、'proxy' のいずれか」; checked when saving. */
  function describeSchema(schema) {
    var kind = TYPE_WORDS[schema.type] || "値";
    var text;
    if (schema.enum) text = schema.enum.map(function (v) { return "'" + v + "'"; }).join("、") + " のいずれか";
    else if (schema.minimum !== undefined && schema.maximum !== undefined) text = schema.minimum + "〜" + schema.maximum + "の" + kind;
    else if (schema.minimum !== undefined) text = schema.minimum + "以上の" + kind;
    else if (schema.exclusiveMinimum !== undefined) text = schema.exclusiveMinimum + "より大きい" + kind;
    else text = kind;
    return text + (schema.nullable ? "（省略可）" : "") + "。定数は保存のときに確かめます";
  }

  function serviceSection(element) {
    var operator = operatorOf(element);
    var chosen = operator ? operator.id : "";
    var params = {};
    ((operator && operator.parameterList && operator.parameterList.parameters) || []).forEach(function (p) {
      params[p.id] = p.value;
    });
    var result = operator ? operator.resultVariable : "";
    var options = [{ value: "", label: "（サービスを選択）" }].concat(E.handlers.map(function (h) {
      return { value: h.operator_id, label: h.function_id + " " + h.title + "（" + h.operator_id + "）" };
    }));
    var out = [field("サービス（登録済みハンドラ）", select("operator", options, chosen, function (id) {
      setOperator(element, id, params, result);
      E.emit("selection", element);
    }))];
    var handler = E.handlers.filter(function (h) { return h.operator_id === chosen; })[0];
    if (handler) {
      handler.parameters.forEach(function (p) {
        var schema = p.schema || {};
        out.push(field("パラメータ " + p.name + (schema.title ? "（" + schema.title + "）" : "") + (p.required ? "（必須）" : ""),
          textInput("param_" + p.name, params[p.name], function (v) {
            params[p.name] = v;
            setOperator(element, chosen, params, result);
          }, { "class": "mono", placeholder: "式（例: resident_id）", "data-param-type": schema.type || "" }),
          describeSchema(schema)));
      });
      out.push(field("結果の変数名", textInput("result_variable", result, function (v) {
        result = v;
        setOperator(element, chosen, params, result);
      }, { "class": "mono" })));
    }
    return out;
  }

  function eventDefinition(element, type) {
    return (bo(element).eventDefinitions || []).filter(function (d) { return d.$type === type; })[0];
  }

  function timerSection(element, definition) {
    var kinds = [{ value: "timeDuration", label: "経過時間（例: \"P30D\"）" },
                 { value: "timeDate", label: "日時" }, { value: "timeCycle", label: "繰り返し" }];
    var kind = kinds.map(function (k) { return k.value; }).filter(function (k) { return definition[k]; })[0] ||
      "timeDuration";
    var expression = definition[kind] ? definition[kind].body : "";
    function write(newKind, body) {
      var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      props[newKind] = service("moddle").create("bpmn:FormalExpression", { body: body });
      service("modeling").updateModdleProperties(element, definition, props);
    }
    var input = textInput("timer_expression", expression, function (v) { write(kind, v); }, { "class": "mono" });
    return [field("タイマーの種類", select("timer_kind", kinds, kind, function (k) { kind = k; write(k, input.value); })),
            field("タイマー式", input, "CEL の式です。期間は引用符で囲みます（例: 'P14D' は14日後、inquiry.deadline_at は変数の日時）")];
  }

  function messageSection(element, definition) {
    var current = definition.messageRef ? definition.messageRef.name : "";
    return [field("メッセージ名", textInput("message_name", current, function (name) {
      var definitions = E.modeler.getDefinitions();
      var moddle = service("moddle");
      var message = (definitions.rootElements || []).filter(function (r) {
        return r.$type === "bpmn:Message" && r.name === name;
      })[0];
      if (!message) {
        message = moddle.create("bpmn:Message", { id: "message_" + name.replace(/[^A-Za-z0-9_]/g, "_"), name: name });
        service("modeling").updateModdleProperties(element, definitions,
          { rootElements: (definitions.rootElements || []).concat([message]) });
      }
      service("modeling").updateModdleProperties(element, definition, { messageRef: message });
    }, { "class": "mono" }), "他の事案・外部から届く知らせの名前（例: shoukai_kaitou）")];
  }

  function conditionSection(element) {
    var expression = bo(element).conditionExpression ? bo(element).conditionExpression.body : "";
    return [field("条件式", textInput("condition", expression, function (v) {
      update(element, { conditionExpression: v ? service("moddle").create("bpmn:FormalExpression", { body: v }) : undefined });
    }, { "class": "mono" }), "CEL の式（例: identity_path == 'photo_id' && applicant == 'self'）。値のない変数は null です")];
  }

  function render(element) {
    current = element;
    pane.textContent = "";
    if (!element || element.type === "bpmn:Process" || element.type === "bpmn:Collaboration") {
      pane.appendChild(E.el("p", { "class": "muted", text: "図の要素を選ぶと、ここで名前・レーン・フォーム・サービスなどを設定できます。" }));
      return;
    }
    var parts = [E.el("h3", { "class": "prop-title", text: TYPE_LABELS[element.type] || element.type.replace("bpmn:", "") })];
    parts = parts.concat(generalSection(element));
    var isNode = is(element, "bpmn:FlowNode");
    if (isNode && !is(element, "bpmn:BoundaryEvent")) parts = parts.concat(laneSection(element));
    if (is(element, "bpmn:UserTask") || is(element, "bpmn:ManualTask")) parts = parts.concat(formSection(element));
    if (is(element, "bpmn:ServiceTask")) parts = parts.concat(serviceSection(element));
    var timer = isNode && eventDefinition(element, "bpmn:TimerEventDefinition");
    if (timer) parts = parts.concat(timerSection(element, timer));
    var message = isNode && eventDefinition(element, "bpmn:MessageEventDefinition");
    if (message) parts = parts.concat(messageSection(element, message));
    if (element.type === "bpmn:SequenceFlow") parts = parts.concat(conditionSection(element));
    parts.forEach(function (part) { pane.appendChild(part); });
  }

  E.on("loaded", function () {
    render(null);
    E.modeler.on("selection.changed", function (event) { render(event.newSelection[0] || null); });
    E.modeler.on("elements.changed", function (event) {
      if (current && event.elements.indexOf(current) >= 0 && !pane.contains(document.activeElement)) render(current);
    });
  });
  E.on("selection", function (element) { render(element); });
})();
