/* Shrinks one photo off the main thread: decode upright, fit in maxEdge px (1600 from upload.js), JPEG ~0.75.
   Message in: {file, maxEdge, quality}; out: {blob} or {error}. Used by upload.js. */
self.onmessage = function (event) {
  var file = event.data.file, maxEdge = event.data.maxEdge, quality = event.data.quality;
  createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
    var scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
    var width = Math.max(1, Math.round(bitmap.width * scale));
    var height = Math.max(1, Math.round(bitmap.height * scale));
    var canvas = new OffscreenCanvas(width, height);
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    if (bitmap.close) { bitmap.close(); }
    return canvas.convertToBlob({ type: "image/jpeg", quality: quality });
  }).then(function (blob) {
    self.postMessage({ blob: blob });
  }, function (error) {
    self.postMessage({ error: String(error) });
  });
};
