/* The Excel upload on the report page: which button was pressed, upload progress, feedback.
 * htmx sends the form (multipart); without JavaScript the same form posts plainly. */
(function () {
  "use strict";
  var form = document.getElementById("excel-form");
  if (!form) return;
  var progress = document.getElementById("excel-progress");
  var state = document.getElementById("excel-state");
  var action = "check";
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    if (button) action = button.value;
  });
  // htmx does not send the value of the button that submitted the form; add it.
  form.addEventListener("htmx:configRequest", function (event) {
    event.detail.parameters.action = action;
  });
  form.addEventListener("htmx:beforeRequest", function () {
    progress.hidden = false; progress.value = 0;
    state.textContent = action === "import" ? "Đang tải lên và nhập…" : "Đang tải lên và kiểm tra…";
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  });
  form.addEventListener("htmx:xhr:progress", function (event) {
    if (event.detail.lengthComputable) progress.value = Math.round(100 * event.detail.loaded / event.detail.total);
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    progress.hidden = true;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    var xhr = event.detail.xhr;
    state.textContent = xhr && xhr.status >= 500 ? "Máy chủ tạm thời không xử lý được; hãy thử lại." : "";
  });
  // Error statuses (422: the file has problems) still carry the explanation to show.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "excel-result" && event.detail.xhr.status < 500) {
      event.detail.shouldSwap = true; event.detail.isError = false;
    }
  });
})();
