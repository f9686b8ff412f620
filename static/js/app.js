/* Behaviour every page shares, declared in the markup (the CSP forbids inline handlers):
 *
 *   <select data-autosubmit>      submits its form when the choice changes (the form keeps a
 *                                 visible button for people without JavaScript)
 *   <form data-confirm="…">       asks before sending; a second submit of the same form (the
 *                                 report page re-sends once autosave has finished) is not asked again
 *
 * It also marks <html class="js">, so the stylesheet can lay out what only works with a script.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm || form.dataset.confirmed === "1") return;
    if (window.confirm(form.dataset.confirm)) {
      form.dataset.confirmed = "1";
    } else {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
