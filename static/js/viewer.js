/* The photo viewer: zoom and rotate without reloads, arrow keys to the next page. */
(function () {
  "use strict";

  // The viewer's links change classes in place when JavaScript runs (the links still work without).
  var image = document.getElementById("viewer-image");
  var frame = document.getElementById("viewer-frame");
  if (image) {
    var zoom = parseInt(image.dataset.zoomLevel || "1", 10);
    var turn = parseInt(image.dataset.turn || "0", 10);
    var apply = function () {
      image.className = "viewer-img zoom-" + zoom + " rot-" + turn;
    };
    document.querySelectorAll("[data-zoom],[data-rotate]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (link.dataset.zoom) zoom = Math.min(4, Math.max(1, zoom + parseInt(link.dataset.zoom, 10)));
        if (link.dataset.rotate) turn = (turn + parseInt(link.dataset.rotate, 10)) % 360;
        apply();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.target.tagName === "INPUT" || event.target.tagName === "TEXTAREA") return;
      if (event.key === "+") { zoom = Math.min(4, zoom + 1); apply(); }
      if (event.key === "-") { zoom = Math.max(1, zoom - 1); apply(); }
      if (event.key === "r") { turn = (turn + 90) % 360; apply(); }
      // In the focused frame of a page wider than it, the arrows scroll the page (not turn it).
      if (frame && frame.contains(event.target) && frame.scrollWidth > frame.clientWidth) return;
      var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
      var link = rel && document.querySelector(".viewer-tools a[rel=" + rel + "]");
      if (link) window.location.href = link.href;
    });
  }
})();
