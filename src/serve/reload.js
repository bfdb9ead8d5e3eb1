// Injected by `impress serve` only; never part of a build.
(function () {
  "use strict";
  var KEY = "impress-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    var restore = function () { window.scrollTo(0, parseFloat(saved) || 0); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }
  var overlay = null;
  function showError(text) {
    // The page of a site that has not built yet lists the errors itself.
    var list = document.getElementById("impress-build-errors");
    if (list) { list.textContent = text; list.hidden = false; return; }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "impress-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.94);" +
        "color:#ffd7d7;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "impress: the last edit did not build; the page shows the last good version.\n\n" + text;
  }
  function clearError() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  var source = new EventSource(document.currentScript.getAttribute("data-events"));
  source.addEventListener("reload", function () {
    sessionStorage.setItem(KEY, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("css", function () {
    clearError();
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("impress-reload", String(Date.now()));
      link.href = url.toString();
    });
  });
  source.addEventListener("build-error", function (e) { showError(JSON.parse(e.data)); });
})();
