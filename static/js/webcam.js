/* Counter intake: take a photo with the desk's webcam and add it to the document's file input. */
(function () {
  "use strict";

  // Counter intake: take a photo with the desk's webcam and add it to the document's file input.
  // Its words come from the page (data-text-* on this script, written through Babel).
  var text = (document.currentScript && document.currentScript.dataset) || {};
  if (navigator.mediaDevices && window.DataTransfer) {
    document.querySelectorAll("input[type=file][data-webcam]").forEach(function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = text.textOpen;
      input.insertAdjacentElement("afterend", button);
      button.addEventListener("click", function () { openCamera(input, button); });
    });
  }

  function openCamera(input, button) {
    var taken = 0;  // photos taken since the camera opened
    var box = document.createElement("div");
    box.className = "webcam";
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    var snap = document.createElement("button");
    snap.type = "button";
    snap.textContent = text.textSnap;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.textContent = text.textClose;
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
          taken += 1;
          snap.textContent = text.textSnap + " (" + taken + ")";
          // With upload.js the photo goes into the batch at once (and the input empties again).
          if (input.hasAttribute("data-upload-url")) { input.dispatchEvent(new Event("change")); }
        }, "image/jpeg", 0.9);
      });
    }).catch(function () {
      box.remove();
      button.disabled = false;
      button.textContent = text.textFailed;
    });
  }
})();
