/* The review page: a click on a section, a row number or a cell picks where the remark goes
 * without reloading the page (htmx fetches the remark form for that place); on a phone the
 * conclusion and the remark form sit in a bar at the bottom of the screen, closed until asked.
 * Without the script every link still works as a plain page load.
 */
(function () {
  "use strict";
  var dock = document.getElementById("review-dock");
  if (!dock) return;
  var narrow = window.matchMedia("(max-width: 899px)");
  var boxes = dock.querySelectorAll("details.dock-box");

  function arrange() {
    document.body.classList.toggle("has-dock", narrow.matches);
    var picked = /[?&]at=/.test(window.location.search);
    // Beside the report: the remark form open, "Trả lại…" a button that opens its message box.
    // In the phone's bar: everything closed, the remark form open when a place was picked.
    boxes.forEach(function (box) {
      box.open = narrow.matches ? picked && box.id === "comment-box" : box.id !== "return-box";
    });
  }
  arrange();
  narrow.addEventListener("change", arrange);

  function openCommentBox(focus) {
    var box = document.getElementById("comment-box");
    if (!box) return;
    if (narrow.matches) boxes.forEach(function (other) { if (other !== box) other.open = false; });
    box.open = true;
    var body = document.getElementById("comment-body");
    // Focus scrolls the side panel (or the bar) to the form, not the report being read.
    if (focus && body) body.focus();
  }

  // On a phone one panel at a time: opening one closes the others.
  boxes.forEach(function (box) {
    box.addEventListener("toggle", function () {
      if (box.open && narrow.matches) boxes.forEach(function (other) { if (other !== box) other.open = false; });
    });
  });

  var typed = "";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='?at='], a[data-anchor-pick]");
    if (!link || !window.htmx || !document.getElementById("comment-form")) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    var body = document.getElementById("comment-body");
    typed = body ? body.value : "";
    var url = link.getAttribute("href").split("#")[0] || "?";
    window.htmx.ajax("GET", url, { target: "#comment-form", swap: "outerHTML" });
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "comment-form") return;
    var body = document.getElementById("comment-body");
    if (body && typed) body.value = typed;
    openCommentBox(true);
  });
})();
