/* The drafting page of the national report: the section's text is saved as it is typed, with the
 * revision it was based on (a stale save is refused with 409 and kept by the server; the box says
 * so and shows the other version); "Chèn số liệu" puts a live figure reference at the cursor.
 * Without the script, "Lưu mục" posts the form and the page reloads.
 */
(function () {
  "use strict";
  var form = document.getElementById("draft-editor");
  if (!form) return;
  var box = document.getElementById("draft-text");
  var status = document.getElementById("draft-save-status");
  var revision = parseInt(form.dataset.revision, 10) || 0;
  var timer = null, saving = false, again = false, conflict = false;

  function csrf() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }
  function say(text, bad) { status.textContent = text; status.classList.toggle("error", !!bad); }

  function save() {
    if (conflict) return;
    if (saving) { again = true; return; }
    saving = true;
    say("Đang lưu…");
    fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ base_revision: revision, text: box.value })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        revision = answer.body.revision;
        form.dataset.revision = revision;
        form.querySelector("input[name=base_revision]").value = revision;
        var unknown = answer.body.unknown || [];
        say(unknown.length ? "Đã lưu (phiên bản mục " + revision + "). Số liệu không có: " + unknown.join(", ")
                           : "Đã lưu (phiên bản mục " + revision + ").", unknown.length > 0);
      } else if (answer.status === 409) {
        conflict = true;
        say(answer.body.error + " Nội dung hiện tại (phiên bản " + answer.body.current.revision + "): " +
            answer.body.current.text.slice(0, 300) + " — tải lại trang để tiếp tục.", true);
      } else {
        say(answer.body.error || "Không lưu được; sẽ thử lại.", true);
      }
    }).catch(function () {
      say("Mất kết nối; chưa lưu. Sẽ thử lại khi gõ tiếp.", true);
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function later() { clearTimeout(timer); timer = setTimeout(save, 800); say("Đang gõ…"); }
  box.addEventListener("input", later);

  var insert = document.getElementById("insert-figure");
  if (insert) insert.addEventListener("click", function () {
    var key = document.getElementById("figure-key").value;
    var token = "{{so_lieu:" + key + "}}";
    var start = box.selectionStart, end = box.selectionEnd;
    if (typeof start !== "number") { start = end = box.value.length; }
    box.value = box.value.slice(0, start) + token + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + token.length;
    later();
  });
})();
