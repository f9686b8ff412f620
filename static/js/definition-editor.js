/* The report definition editor (templates/definitions/editor.html).
 *
 * Forms work without JavaScript; this only asks before destructive or final actions (removing an
 * element, publishing, discarding a draft) and shows a column's attributes that matter for its type.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // A column's form: bounds for numbers, choices for choice columns, length for text.
  var form = document.querySelector(".def-fields.kind-column");
  if (!form) return;
  var type = form.querySelector("#e-type");
  var only = {
    "min": ["integer", "number", "money", "percent"],
    "max": ["integer", "number", "money", "percent"],
    "decimals": ["number", "percent"],
    "formula": ["integer", "number", "money", "percent"],
    "fallback": ["integer", "number", "money", "percent"],
    "choices": ["choice", "multichoice"],
    "display": ["choice"],
    "max_length": ["text"]
  };
  function sync() {
    Object.keys(only).forEach(function (name) {
      var box = document.getElementById("e-" + name + "-box");
      if (!box) return;
      var wanted = only[name].indexOf(type.value) >= 0;
      var hasValue = Array.prototype.some.call(box.querySelectorAll("input, textarea, select"), function (el) {
        if (el.type === "checkbox") return el.checked;
        return el.value !== "" && el.value !== el.dataset.default;
      });
      // Never hide something filled in or with a problem: the engine would still complain about it.
      box.hidden = !wanted && !hasValue && !box.classList.contains("has-error");
    });
  }
  if (type) { type.addEventListener("change", sync); sync(); }
})();
