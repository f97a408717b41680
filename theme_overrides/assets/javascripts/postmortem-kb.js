/* postmortem-kb: small progressive enhancements. Everything on the site works
   without JavaScript; this only adds conveniences. Started through Material's
   document$ so it survives instant navigation. No network requests. */
(function () {
  "use strict";

  /* Action-item pages: a filter box over the item tables already on the page.
     The box is `hidden` in the HTML, so readers without JavaScript never see a
     control that cannot work. */
  function startFilter() {
    var box = document.querySelector("[data-pmkb-filter]");
    if (!box) return;
    var input = box.querySelector("input");
    var count = box.querySelector("[data-pmkb-filter-count]");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".pmkb-ai-list tbody tr"));
    if (!input || !rows.length) return;
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    box.hidden = false;
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (count) count.textContent = words.length ? shown + " of " + rows.length + " items" : "";
    }
    input.addEventListener("input", apply);
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
