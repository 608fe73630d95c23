/* Inbox helpers: select all rows, photo viewer zoom/rotate without reloads, print buttons, webcam. */
(function () {
  "use strict";

  // Select-all checkbox in the inbox list (also after htmx swaps the list).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("select-all")) return;
    var form = box.closest("form");
    form.querySelectorAll("input.row-select").forEach(function (row) { row.checked = box.checked; });
  });

  // Keep the inbox URL short: empty filters are not sent (nor pushed into the address bar).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") delete params[name];
    });
  });

  // The viewer's links change classes in place when JavaScript runs (the links still work without).
  var image = document.getElementById("viewer-image");
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
      var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
      var link = rel && document.querySelector(".viewer-tools a[rel=" + rel + "]");
      if (link) window.location.href = link.href;
    });
  }

  // Printed slips: a print button, and print at once after the receipt is made.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.body && document.body.dataset.autoprint) {
    window.addEventListener("load", function () { window.print(); });
  }

  // Counter intake: take a photo with the desk's webcam and add it to the document's file input.
  if (navigator.mediaDevices && window.DataTransfer) {
    document.querySelectorAll("input[type=file][data-webcam]").forEach(function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Chụp bằng webcam";
      input.insertAdjacentElement("afterend", button);
      button.addEventListener("click", function () { openCamera(input, button); });
    });
  }

  function openCamera(input, button) {
    var box = document.createElement("div");
    box.className = "webcam";
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    var snap = document.createElement("button");
    snap.type = "button";
    snap.textContent = "Chụp";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.textContent = "Đóng máy ảnh";
    box.append(video, snap, close);
    button.insertAdjacentElement("afterend", box);
    button.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 } } }).then(function (stream) {
      video.srcObject = stream;
      var stop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        box.remove();
        button.disabled = false;
      };
      close.addEventListener("click", stop);
      snap.addEventListener("click", function () {
        var canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        canvas.toBlob(function (blob) {
          var files = new DataTransfer();
          Array.prototype.forEach.call(input.files, function (f) { files.items.add(f); });
          files.items.add(new File([blob], "webcam-" + Date.now() + ".jpg", { type: "image/jpeg" }));
          input.files = files.files;
          snap.textContent = "Chụp (" + input.files.length + ")";
        }, "image/jpeg", 0.9);
      });
    }).catch(function () {
      box.remove();
      button.disabled = false;
      button.textContent = "Không mở được webcam";
    });
  }
})();
