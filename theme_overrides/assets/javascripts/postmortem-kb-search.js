/* postmortem-kb: the faceted search page (search/, when `pagefind: true`).
   Loads Pagefind's UI from the site's own pagefind/ folder (never a CDN) and
   mounts it with its filters (category, service, team, severity, year) and
   newest-first sorting. `?query=...` (or `?q=...`) in the address starts a search. */
(function () {
  "use strict";
  var loading = null;

  /* `?query=` starts a search (main.html turns Material's `?q=` into it). */
  var PARAM = "query";

  function load(bundle) {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = bundle + "pagefind-ui.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = bundle + "pagefind-ui.js";
      script.onload = resolve;
      script.onerror = function () { reject(new Error("pagefind-ui.js not found")); };
      document.head.appendChild(script);
    });
    return loading;
  }

  /* Pagefind's UI shows every metadata field as a tag, `Key: value`: the start as
     a date, and not the summary (the page's own text, which the excerpt already
     quotes where it matches). */
  function shownMetadata(result) {
    var meta = result.meta || {};
    if (meta.date) meta.started = String(meta.date).slice(0, 10);
    delete meta.date;
    delete meta.summary;
    result.meta = meta;
    return result;
  }

  function start() {
    var element = document.getElementById("pmkb-pagefind");
    if (!element || element.dataset.mounted) return;
    element.dataset.mounted = "true";
    var bundle = new URL(element.dataset.bundle || "../pagefind/", window.location.href).href;
    load(bundle).then(function () {
      /* global PagefindUI */
      var ui = new PagefindUI({
        element: "#pmkb-pagefind",
        bundlePath: bundle,
        showImages: false,
        showSubResults: true,
        resetStyles: false,
        sort: { date: "desc" },
        // Open on wide screens only: on a phone the open list would push the results a screen down.
        openFilters: window.matchMedia("(min-width: 60em)").matches ? ["category"] : [],
        processResult: shownMetadata
      });
      var query = new URLSearchParams(window.location.search).get(PARAM);
      if (query) ui.triggerSearch(query);
    }).catch(function () {
      element.textContent = "The search index is missing: build the site with `pagefind: true` (mkdocs build).";
    });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
