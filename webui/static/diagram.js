/* The instance diagram: bpmn-js NavigatedViewer with done / active / failed markers. */
(function () {
  "use strict";

  function show(container, message) {
    container.textContent = "";
    var note = document.createElement("div");
    note.className = "diagram-loading muted";
    note.textContent = message;
    container.appendChild(note);
  }

  function mark(viewer, markers) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    ["done", "active", "failed"].forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, kind);
      });
    });
  }

  /* Give the container the diagram's aspect ratio (within limits), then fit: no empty bands. */
  function fitHeight(container, canvas) {
    canvas.zoom("fit-viewport", "auto");
    var inner = canvas.viewbox().inner;
    if (inner.width > 0) {
      var wanted = container.clientWidth * inner.height / inner.width + 40;
      container.style.height = Math.round(Math.max(280, Math.min(640, wanted))) + "px";
      canvas.resized();
      canvas.zoom("fit-viewport", "auto");
    }
  }

  function load() {
    var container = document.getElementById("diagram");
    if (!container) return;
    if (typeof window.BpmnJS !== "function") {
      show(container, "図を表示できません（bpmn-js が読み込まれていません）。");
      return;
    }
    var markers = JSON.parse(document.getElementById("diagram-markers").textContent || "{}");
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var loading = container.querySelector(".diagram-loading");
        if (loading) loading.remove();
        fitHeight(container, viewer.get("canvas"));
        mark(viewer, markers);
        container.setAttribute("data-ready", "true");
      })
      .catch(function () { show(container, "図を読み込めませんでした。"); });
    document.querySelectorAll("[data-diagram-fit]").forEach(function (button) {
      button.addEventListener("click", function () { viewer.get("canvas").zoom("fit-viewport", "auto"); });
    });
  }

  if (document.readyState !== "loading") load(); else document.addEventListener("DOMContentLoaded", load);
})();
