/* The draft editor: bpmn-js Modeler, save with server-side validation, problems highlighted, deploy.
   properties.js, forms.js and tests.js add their panes through window.InkanEditor. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root || typeof window.BpmnJS !== "function") return;

  var listeners = {};
  var E = window.InkanEditor = {
    root: root,
    mayEdit: root.getAttribute("data-may-edit") === "true",
    draft: null, forms: {}, cases: {}, problems: [], dirty: false,
    handlers: JSON.parse(document.getElementById("handlers-data").textContent || "[]"),
    markers: {}
  };

  E.on = function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); };
  E.emit = function (name, data) { (listeners[name] || []).forEach(function (fn) { fn(data); }); };

  E.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "html") node.innerHTML = attrs[key];
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), attrs[key]);
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };

  /* An ISO time (UTC) as the clerk's clock shows it: 2026年12月7日 18:49 (JST). */
  E.jst = function (iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleString("ja-JP", { timeZone: "Asia/Tokyo", year: "numeric", month: "long", day: "numeric",
                                          hour: "2-digit", minute: "2-digit" });
  };

  E.status = function (text, tone) {
    var box = root.querySelector("[data-status]");
    box.textContent = text;
    box.className = "editor-status" + (tone ? " tone-" + tone : "");
  };

  E.post = function (url, body) {
    var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var read = type.indexOf("json") >= 0 ? response.json() : response.text();
      return read.then(function (data) { return { ok: response.ok, status: response.status, body: data }; });
    });
  };

  E.modeler = new window.BpmnJS({
    container: "#canvas",
    moddleExtensions: { spiffworkflow: window.InkanSpiffModdle }
  });

  /* Markers of one kind (problem, covered, uncovered) replace that kind's previous markers. */
  E.mark = function (kind, ids) {
    var canvas = E.modeler.get("canvas");
    var registry = E.modeler.get("elementRegistry");
    (E.markers[kind] || []).forEach(function (id) { if (registry.get(id)) canvas.removeMarker(id, kind); });
    E.markers[kind] = (ids || []).filter(function (id) { return id && registry.get(id); });
    E.markers[kind].forEach(function (id) { canvas.addMarker(id, kind); });
  };

  /* How a manager names an element: its name; a flow without one by where it runs (「A」→「B」). */
  E.nameOf = function (id) {
    var element = E.modeler.get("elementRegistry").get(id);
    var bo = element && element.businessObject;
    if (!bo) return id;
    if (bo.name && bo.name.trim()) return "「" + bo.name.replace(/\s+/g, " ").trim() + "」";
    if (bo.sourceRef && bo.targetRef) return E.nameOf(bo.sourceRef.id) + "→" + E.nameOf(bo.targetRef.id);
    return "（" + (UNNAMED.filter(function (k) { return bo.$instanceOf(k[0]); }).map(function (k) { return k[1]; })[0] ||
      "名前のない要素") + "）";
  };
  /* An element without a name by its kind: most are the gateways where paths join again. */
  var UNNAMED = [["bpmn:Gateway", "合流・分岐"], ["bpmn:StartEvent", "開始"], ["bpmn:EndEvent", "終了"],
                 ["bpmn:BoundaryEvent", "境界イベント"], ["bpmn:Event", "イベント"], ["bpmn:Activity", "名前のないタスク"]];

  E.select = function (id) {
    var element = E.modeler.get("elementRegistry").get(id);
    if (!element) return;
    E.modeler.get("selection").select(element);
    E.modeler.get("canvas").scrollToElement(element, { top: 120, bottom: 120, left: 200, right: 200 });
  };

  /* Go to an element named in a list (a problem, a change): at the whole-diagram scale it is too small to read,
     so the view zooms to full size around it first. */
  E.reveal = function (id) {
    var canvas = E.modeler.get("canvas");
    var element = E.modeler.get("elementRegistry").get(id);
    if (!element) return;
    if (canvas.zoom() < 0.75) {
      var box = document.getElementById("canvas");
      var x = element.waypoints ? element.waypoints[0].x : element.x + element.width / 2;
      var y = element.waypoints ? element.waypoints[0].y : element.y + element.height / 2;
      canvas.viewbox({ x: x - box.clientWidth / 2, y: y - box.clientHeight / 2, width: box.clientWidth,
                       height: box.clientHeight });
    }
    E.select(id);
  };

  E.showTab = function (name) {
    root.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.classList.toggle("on", tab.getAttribute("data-tab") === name);
    });
    root.querySelectorAll("[data-pane]").forEach(function (pane) {
      pane.hidden = pane.getAttribute("data-pane") !== name;
    });
  };
  root.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () { E.showTab(tab.getAttribute("data-tab")); });
  });

  E.setDirty = function () {
    E.dirty = true;
    E.status("未保存の変更があります", "warn");
  };

  function renderProblems() {
    var pane = document.getElementById("problems");
    pane.textContent = "";
    root.querySelector("[data-problem-count]").textContent = E.problems.length;
    root.querySelector("[data-tab=problems]").classList.toggle("has-problems", E.problems.length > 0);
    if (!E.problems.length) {
      pane.appendChild(E.el("p", { "class": "ok-text", text: "検証で問題は見つかりませんでした。" }));
    }
    var list = E.el("ul", { "class": "problem-list" });
    E.problems.forEach(function (problem) {
      var element = problem.element_id && E.modeler.get("elementRegistry").get(problem.element_id);
      var name = element && element.businessObject.name;
      var item = E.el("li", { "class": "problem", "data-element": problem.element_id || "" }, [
        problem.element_id ? E.el("span", { "class": "problem-where" }, [name ? E.el("strong", { text: name + " " }) :
          E.el("span", { "class": "mono small", text: problem.element_id })]) : null,
        E.el("span", { text: problem.message })
      ]);
      if (problem.element_id) item.addEventListener("click", function () { E.reveal(problem.element_id); });
      list.appendChild(item);
    });
    pane.appendChild(list);
    E.mark("has-problem", E.problems.map(function (p) { return p.element_id; }));
  }

  E.save = function () {
    return E.modeler.saveXML({ format: true }).then(function (result) {
      E.status("保存しています…");
      var note = root.querySelector("[data-note]");
      return E.post(root.getAttribute("data-save-url"), {
        bpmn_xml: result.xml, forms: E.forms, cases: E.cases, note: note ? note.value : ""
      });
    }).then(function (response) {
      if (!response.ok) {
        E.status("保存できませんでした: " + (response.body.message || response.status), "error");
        return false;
      }
      E.problems = response.body.problems || [];
      E.dirty = false;
      renderProblems();
      if (E.problems.length) {
        E.status("保存しました。問題が " + E.problems.length + " 件あります", "error");
        E.showTab("problems");
      } else {
        E.status("保存しました。検証で問題はありません", "ok");
      }
      E.emit("saved");
      return E.problems.length === 0;
    });
  };

  /* The whole diagram in view (4.1.2 is about 3,700 px wide): the manager sees the flow first, then zooms in. */
  E.fit = function () {
    var canvas = E.modeler.get("canvas");
    var container = document.getElementById("canvas");
    var inner = canvas.viewbox().inner;
    var width = container.clientWidth, height = container.clientHeight;
    if (!inner.width || !inner.height || !width || !height) { canvas.zoom("fit-viewport", "auto"); return; }
    // left: the palette (about 110 px) stays clear of the diagram; top: the zoom buttons; a margin all round
    var left = E.mayEdit ? 130 : 20, top = 50, right = 20, bottom = 36;
    var scale = Math.min((width - left - right) / inner.width, (height - top - bottom) / inner.height, 1);
    var spareY = (height - top - bottom) / scale - inner.height;
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - top / scale - spareY / 2,
                     width: width / scale, height: height / scale });
  };

  /* Zoom in / out / fit buttons over the canvas; dragging the empty canvas moves it, Ctrl + wheel zooms, and the
     keyboard (Ctrl + arrows move, Ctrl + +/- zoom) works once the canvas has focus. */
  function zoomControls() {
    var zoomScroll = E.modeler.get("zoomScroll");
    var controls = E.el("div", { "class": "zoom-controls", role: "group", "aria-label": "図の表示" }, [
      E.el("button", { type: "button", "class": "btn btn-sm", "data-zoom": "in", title: "拡大（Ctrl + ＋）",
        "aria-label": "拡大", text: "＋", onclick: function () { zoomScroll.stepZoom(1); } }),
      E.el("button", { type: "button", "class": "btn btn-sm", "data-zoom": "out", title: "縮小（Ctrl + −）",
        "aria-label": "縮小", text: "−", onclick: function () { zoomScroll.stepZoom(-1); } }),
      E.el("button", { type: "button", "class": "btn btn-sm", "data-zoom": "fit", title: "図の全体を表示",
        text: "全体", onclick: E.fit }),
      E.el("button", { type: "button", "class": "btn btn-sm", "data-zoom": "actual", title: "実寸（100%）で表示",
        text: "100%", onclick: function () { E.modeler.get("canvas").zoom(1, "auto"); } })]);
    var help = E.el("div", { "class": "canvas-help small muted", text:
      "空いている所をドラッグで移動・Ctrl＋ホイールで拡大縮小・図をクリックしてから Ctrl＋矢印キーで移動" });
    var canvas = document.getElementById("canvas");
    canvas.appendChild(controls);
    canvas.appendChild(help);
  }

  function load() {
    fetch(root.getAttribute("data-draft-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (draft) {
        E.draft = draft;
        E.forms = draft.forms || {};
        E.cases = draft.cases || { process_id: draft.process_id, cases: [] };
        E.problems = draft.problems || [];
        return E.modeler.importXML(draft.bpmn_xml);
      })
      .then(function () {
        E.fit();
        zoomControls();
        renderProblems();
        E.status(E.problems.length ? "問題が " + E.problems.length + " 件あります" : "読み込みました",
                 E.problems.length ? "error" : "");
        E.modeler.on("commandStack.changed", E.setDirty);
        E.emit("loaded");
        root.setAttribute("data-ready", "true");
      })
      .catch(function (error) { E.status("読み込めませんでした: " + error, "error"); });
  }

  root.querySelectorAll("[data-action=save]").forEach(function (button) {
    button.addEventListener("click", function () { E.save(); });
  });
  root.querySelectorAll("[data-note]").forEach(function (input) { input.addEventListener("input", E.setDirty); });
  window.addEventListener("beforeunload", function (event) {
    if (E.dirty && E.mayEdit) { event.preventDefault(); event.returnValue = ""; }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load); else load();
})();
