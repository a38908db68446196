/* The spiffworkflow: extension elements the engine reads (forms, service operators, message variables), described for bpmn-js so the
   properties panel edits them as objects and they are written back as the engine expects. */
(function () {
  "use strict";
  window.InkanSpiffModdle = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"], meta: { allowedIn: ["*"] },
        properties: [{ name: "values", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" }] },
      { name: "ServiceTaskOperator", superClass: ["Element"], meta: { allowedIn: ["bpmn:ServiceTask"] },
        properties: [{ name: "id", isAttr: true, type: "String" },
                     { name: "resultVariable", isAttr: true, type: "String" },
                     { name: "parameterList", type: "Parameters" }] },
      { name: "Parameters", superClass: ["Element"],
        properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      { name: "Parameter", superClass: ["Element"],
        properties: [{ name: "id", isAttr: true, type: "String" }, { name: "type", isAttr: true, type: "String" },
                     { name: "value", isAttr: true, type: "String" }] },
      // the variable a caught message's payload lands in (message start, catch and boundary events)
      { name: "MessageVariable", superClass: ["Element"], meta: { allowedIn: ["bpmn:MessageEventDefinition"] },
        properties: [{ name: "value", isBody: true, type: "String" }] }
    ]
  };
})();
