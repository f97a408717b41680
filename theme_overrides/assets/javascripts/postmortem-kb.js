/* postmortem-kb: small progressive enhancements. Everything on the site works
   without JavaScript; this only adds conveniences. Started through Material's
   document$ so it survives instant navigation. */
(function () {
  "use strict";
  function start() {}
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
