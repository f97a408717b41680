/* postmortem-kb: small progressive enhancements. Everything on the site works
   without JavaScript; this only adds conveniences. Started through Material's
   document$ so it survives instant navigation. No network requests. */
(function () {
  "use strict";

  /* Action-item pages: a filter box over the item tables already on the page.
     The box is `hidden` in the HTML, so readers without JavaScript never see a
     control that cannot work. A table left without a matching row is hidden
     and replaced by a short note under its heading; when nothing matches at
     all, the count (an aria-live region) says so in words. */
  function startFilter() {
    var box = document.querySelector("[data-pmkb-filter]");
    if (!box || box.getAttribute("data-pmkb-ready")) return;
    var input = box.querySelector("input");
    var count = box.querySelector("[data-pmkb-filter-count]");
    var lists = Array.prototype.slice.call(document.querySelectorAll(".pmkb-ai-list"));
    var rows = Array.prototype.slice.call(document.querySelectorAll(".pmkb-ai-list tbody tr"));
    if (!input || !rows.length) return;
    box.setAttribute("data-pmkb-ready", "");
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var sections = lists.map(function (list) {
      var note = document.createElement("p");
      note.className = "pmkb-empty pmkb-filter-none";
      note.hidden = true;
      list.parentNode.insertBefore(note, list.nextSibling);
      return { list: list, rows: Array.prototype.slice.call(list.querySelectorAll("tbody tr")), note: note };
    });
    box.hidden = false;
    function apply() {
      var query = input.value.trim();
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      sections.forEach(function (section) {
        var visible = section.rows.some(function (row) { return !row.hidden; });
        section.list.hidden = !visible;
        section.note.hidden = visible;
        section.note.textContent = visible ? "" : "No item in this section matches \u201c" + query + "\u201d.";
      });
      var none = words.length > 0 && shown === 0;
      box.classList.toggle("pmkb-filter-box--none", none);
      if (count) {
        count.textContent = !words.length ? ""
          : none ? "No action item matches \u201c" + query + "\u201d (0 of " + rows.length + " items)."
          : shown + " of " + rows.length + " items";
      }
    }
    input.addEventListener("input", apply);
    if (input.value) apply(); /* a value the browser restored (back button) */
  }

  function start() {
    startFilter();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
