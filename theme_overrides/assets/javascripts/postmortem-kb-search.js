/* postmortem-kb: the faceted search page (search/, when `pagefind: true`).
   Loads Pagefind's UI from the site's own pagefind/ folder (never a CDN) and
   mounts it with its filters (category, service, team, severity, year) and
   newest-first sorting. `?q=...` in the address starts a search. */
(function () {
  "use strict";
  var loading = null;

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
        openFilters: ["category"]
      });
      var query = new URLSearchParams(window.location.search).get("q");
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
