/* Autosave of a report: one part (section or table) at a time.
 *
 * Every keystroke is copied to localStorage at once, so a killed tab loses at most the last
 * moment of typing; the part is sent after a short pause with the revision it was based on.
 * The server refuses a stale revision (409) and keeps the refused copy; here both versions
 * stay visible and the person chooses. Computed cells, totals and problems come back from the
 * server's validation engine (the same one the Excel import and the API use).
 */
(function () {
  "use strict";
  var root = document.getElementById("report");
  if (!root || root.dataset.editable !== "1") return;
  var reportId = root.dataset.report;
  // A definition's preview (definitions/preview.py): the server checks what is typed and stores
  // nothing, so nothing is kept on this machine either.
  var preview = root.dataset.preview === "1";
  var DELAY = 700;
  var globalState = document.getElementById("save-state");
  var parts = {};

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function storageKey(key) { return "bc06:r" + reportId + ":" + key; }
  function now() { return new Date().toLocaleTimeString("vi-VN"); }

  function collect(form) {
    if (!form.dataset.table) {
      var fields = {};
      form.querySelectorAll("[data-field]").forEach(function (el) { fields[el.dataset.field] = el.value; });
      return { fields: fields };
    }
    var rows = [];
    form.querySelectorAll("tbody tr[data-row]").forEach(function (tr) {
      var row = { key: tr.dataset.row, values: {} };
      if (tr.classList.contains("free")) row.group = tr.dataset.group;
      tr.querySelectorAll("[data-col]").forEach(function (el) {
        if (el.tagName === "OUTPUT") return;
        if (el.dataset.multi) {
          row.values[el.dataset.col] = Array.prototype.map.call(
            el.querySelectorAll("input:checked"), function (c) { return c.value; });
        } else {
          row.values[el.dataset.col] = el.value;
        }
      });
      rows.push(row);
    });
    return { rows: rows };
  }

  function fill(form, data) {
    if (!form.dataset.table) {
      Object.keys(data.fields || {}).forEach(function (name) {
        var el = form.querySelector('[data-field="' + name + '"]');
        if (el) el.value = data.fields[name];
      });
      return;
    }
    (data.rows || []).forEach(function (row) {
      var tr = form.querySelector('tr[data-row="' + row.key + '"]');
      if (!tr && row.group) tr = addRow(form, row.group, row.key);
      if (!tr) return;
      Object.keys(row.values || {}).forEach(function (col) {
        var el = tr.querySelector('[data-col="' + col + '"]');
        if (!el) return;
        if (el.dataset.multi) {
          var wanted = row.values[col] || [];
          el.querySelectorAll("input").forEach(function (c) { c.checked = wanted.indexOf(c.value) >= 0; });
        } else if (el.tagName !== "OUTPUT") {
          el.value = row.values[col] == null ? "" : row.values[col];
        }
      });
    });
  }

  function setState(part, text, kind) {
    var el = part.form.querySelector("[data-state]");
    if (el) { el.textContent = text; el.className = "part-state " + (kind || ""); }
    if (globalState) { globalState.textContent = text; globalState.className = "save-state " + (kind || ""); }
  }

  function showProblems(part, problems) {
    var form = part.form;
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".cell-error, [data-error-for]").forEach(function (el) { el.textContent = ""; });
    var list = form.querySelector("[data-problems]");
    if (list) list.innerHTML = "";
    problems.forEach(function (p) {
      var target = null;
      if (p.row && p.column) {
        var td = form.querySelector('tr[data-row="' + p.row + '"] td[data-cell="' + p.column + '"]');
        if (td) {
          td.classList.add("has-error");
          var input = td.querySelector("[data-col]");
          if (input) input.setAttribute("aria-invalid", "true");
          target = td.querySelector(".cell-error");
        }
      } else if (p.field) {
        target = form.querySelector('[data-error-for="' + p.field + '"]');
        if (target) target.parentNode.classList.add("has-error");
      }
      if (target) target.textContent += p.message + " ";
      if (list) {
        var li = document.createElement("li");
        li.className = p.severity;
        li.textContent = p.place + ": " + p.message;
        list.appendChild(li);
      }
    });
  }

  function showComputed(part, body) {
    var form = part.form;
    Object.keys(body.computed || {}).forEach(function (rowKey) {
      var tr = form.querySelector('tr[data-row="' + rowKey + '"]');
      if (!tr) return;
      var values = body.computed[rowKey].values;
      Object.keys(values).forEach(function (col) {
        var out = tr.querySelector('output[data-col="' + col + '"]');
        if (out) out.textContent = values[col];
      });
    });
    (body.totals || []).forEach(function (total) {
      var tr = form.querySelector('tr[data-total="' + total.key + '"]');
      if (!tr) return;
      Object.keys(total.values).forEach(function (col) {
        var td = tr.querySelector('[data-total-col="' + col + '"]');
        if (td) td.textContent = total.values[col];
      });
    });
    Object.keys(body.summaries || {}).forEach(function (sectionKey) {
      var box = document.querySelector('[data-summary="' + sectionKey + '"]');
      if (!box || !body.summaries[sectionKey]) return;
      body.summaries[sectionKey].forEach(function (c) {
        var td = box.querySelector('[data-count="' + c.key + '"]');
        if (td) td.textContent = c.count.toLocaleString("vi-VN");
      });
    });
  }

  // The server refused an edit made on an old revision and kept it (a PartConflict). The box says
  // so, offers the comparison of both versions side by side (fetched with htmx into the box), and
  // "keep mine" right away; the comparison's form offers "keep the stored one" and a merge.
  function conflictBox(part) {
    var box = part.form.parentNode.querySelector('.conflict[data-conflict-part="' + part.key + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "conflict alert alert-warn";
      box.dataset.conflictPart = part.key;
      part.form.parentNode.insertBefore(box, part.form);
    }
    return box;
  }

  function showConflict(part, body) {
    var box = conflictBox(part);
    var who = body.current.updated_by ? body.current.updated_by + " lúc " + body.current.updated_at : "người khác";
    box.dataset.conflict = body.conflict_id;
    box.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = "Phần này vừa được " + who + " sửa. Bản của bạn chưa ghi đè lên bản đó và vẫn được giữ lại "
      + "trong hệ thống. Hãy so sánh hai bản rồi chọn giữ bản nào, hoặc hợp nhất.";
    var actions = document.createElement("p");
    var compareLink = document.createElement("a");
    compareLink.className = "btn btn-small"; compareLink.textContent = "So sánh hai bản và chọn";
    compareLink.href = body.conflict_url; compareLink.dataset.compare = "1";
    var mine = document.createElement("button");
    mine.type = "button"; mine.className = "btn btn-small"; mine.textContent = "Giữ bản của tôi (ghi đè)";
    mine.addEventListener("click", function () {
      part.revision = body.current.revision; part.form.dataset.revision = part.revision;
      part.conflict = false; part.dirty = true; part.resolves = true;
      box.remove(); schedule(part, 0);
    });
    actions.appendChild(compareLink); actions.appendChild(document.createTextNode(" ")); actions.appendChild(mine);
    var compareBox = document.createElement("div");
    compareBox.className = "conflict-compare-box"; compareBox.dataset.compareBox = "1";
    box.appendChild(p); box.appendChild(actions); box.appendChild(compareBox);
    setState(part, "Chưa lưu: phần này đã có người sửa trước", "error");
  }

  // "So sánh hai bản": the comparison opens inside the box (the link is the page without the script).
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".conflict [data-compare]");
    if (!link || !window.htmx) return;
    event.preventDefault();
    var target = link.closest(".conflict").querySelector("[data-compare-box]");
    if (target.childElementCount) { target.innerHTML = ""; return; }
    window.htmx.ajax("GET", link.getAttribute("href"), { target: target, swap: "innerHTML" });
  });

  // Choosing in the comparison reloads the page with the version chosen: what this tab kept of the
  // part is settled (the refused copy stays in the system), so it must not come back from storage.
  document.addEventListener("submit", function (event) {
    var box = event.target.closest(".conflict");
    if (!box) return;
    var part = parts[box.dataset.conflictPart];
    localStorage.removeItem(storageKey(box.dataset.conflictPart));
    if (part) { part.dirty = false; part.conflict = true; }
  });

  function save(part) {
    if (part.saving) { part.pending = true; return; }
    if (part.conflict) return;
    var data = collect(part.form);
    var sequence = part.sequence;
    part.saving = true; part.pending = false;
    setState(part, "Đang lưu…", "busy");
    fetch(part.form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(part.form), "Accept": "application/json" },
      body: JSON.stringify({ base_revision: part.revision, data: data, resolves: !!part.resolves })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return [response.status, body]; });
    }).then(function (result) {
      var status = result[0], body = result[1];
      part.saving = false;
      if (status === 200) {
        part.revision = body.revision; part.form.dataset.revision = body.revision;
        part.form.querySelector("input[name=base_revision]").value = body.revision;
        part.failures = 0; part.resolves = false;
        if (part.sequence === sequence) { localStorage.removeItem(storageKey(part.key)); part.dirty = false; }
        else { backup(part); }
        showProblems(part, body.problems || []);
        showComputed(part, body);
        setState(part, (preview ? "Đã kiểm tra (xem trước, không lưu) lúc " : "Đã lưu lúc ") + body.saved_at, "ok");
        if (part.pending || part.dirty) schedule(part, DELAY);
      } else if (status === 409 && body.code === "conflict") {
        part.conflict = true; showConflict(part, body);
      } else if (status === 409 || status === 403) {
        setState(part, body.error || "Không lưu được: báo cáo không còn sửa được.", "error");
      } else {
        retry(part, "Máy chủ tạm thời không lưu được (" + status + ")");
      }
    }).catch(function () {
      part.saving = false;
      retry(part, "Mất kết nối");
    });
  }

  function retry(part, reason) {
    part.failures = (part.failures || 0) + 1;
    var wait = Math.min(30000, 2000 * Math.pow(2, part.failures - 1));
    setState(part, reason + " — nội dung vẫn giữ trên máy này, sẽ thử lại sau " + Math.round(wait / 1000) + " giây.", "error");
    schedule(part, wait);
  }

  function backup(part) {
    if (preview) return;
    try {
      localStorage.setItem(storageKey(part.key), JSON.stringify({ base: part.revision, at: Date.now(), data: collect(part.form) }));
    } catch (e) { /* storage full or disabled: the server copy is the only copy */ }
  }

  function schedule(part, delay) {
    clearTimeout(part.timer);
    part.timer = setTimeout(function () { save(part); }, delay);
  }

  function changed(part) {
    part.dirty = true; part.sequence += 1;
    backup(part);
    if (!part.conflict) setState(part, "Có thay đổi chưa lưu…", "busy");
    schedule(part, DELAY);
  }

  function newKey() { return "n" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

  function addRow(form, group, key) {
    var template = form.querySelector('template[data-row-template="' + group + '"]');
    if (!template) return null;
    key = key || newKey();
    var html = template.innerHTML.split("__ROW__").join(key);
    var tbody = form.querySelector('tbody[data-group="' + group + '"]');
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var tr = holder.firstElementChild;
    var addRowTr = tbody.querySelector("tr.add-row");
    tbody.insertBefore(tr, addRowTr);
    return tr;
  }

  document.querySelectorAll("form.part[data-part]").forEach(function (form) {
    var part = { key: form.dataset.part, form: form, revision: parseInt(form.dataset.revision, 10) || 0,
                 sequence: 0, dirty: false, saving: false, pending: false, conflict: false };
    parts[part.key] = part;
    form.addEventListener("input", function () { changed(part); });
    form.addEventListener("change", function () { changed(part); });
    form.addEventListener("submit", function (event) { event.preventDefault(); schedule(part, 0); });
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      if (add) {
        var tr = addRow(form, add.dataset.addRow);
        if (tr) { var first = tr.querySelector("input:not([type=hidden]), textarea, select"); if (first) first.focus(); }
        changed(part);
      }
      var remove = event.target.closest("[data-remove-row]");
      if (remove && window.confirm("Xóa dòng này?")) { remove.closest("tr").remove(); changed(part); }
    });
    var stored = preview ? null : localStorage.getItem(storageKey(part.key));
    if (stored) {
      try {
        var saved = JSON.parse(stored);
        if (saved.base === part.revision) {
          fill(form, saved.data);
          setState(part, "Đã khôi phục nội dung chưa lưu trên máy này; đang lưu…", "busy");
          part.dirty = true; schedule(part, 0);
        } else if (saved.base < part.revision) {
          // Typed here on an older revision and never saved (a closed tab): send it as it was, so the
          // server refuses it, keeps it and the person compares it with the newer version.
          fill(form, saved.data);
          part.revision = saved.base;
          part.dirty = true; schedule(part, 0);
        }
      } catch (e) { localStorage.removeItem(storageKey(part.key)); }
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (preview) return;
    var busy = Object.keys(parts).some(function (k) { return parts[k].dirty || parts[k].saving; });
    if (busy) { event.preventDefault(); event.returnValue = ""; }
  });

  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    var attempts = 0;
    submitForm.addEventListener("submit", function (event) {
      var waiting = Object.keys(parts).filter(function (k) { return parts[k].dirty || parts[k].saving; });
      if (!waiting.length || attempts >= 5) return;
      attempts += 1;
      event.preventDefault();
      waiting.forEach(function (k) { schedule(parts[k], 0); });
      setTimeout(function () { submitForm.requestSubmit(); }, 1200);
    });
  }
})();
