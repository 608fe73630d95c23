/* Một Cửa Xã — photo uploads that start as soon as a photo is chosen.

   Progressive enhancement of any <input type="file" data-upload-url="..."> inside a form:
   - each chosen file is shrunk on the phone first (decoded upright, <= 1600 px, JPEG 0.75; in a
     Worker with OffscreenCanvas where the browser has them), or sent as is when the browser
     cannot decode it (HEIC on most Android browsers, PDF);
   - what the phone cannot shrink (HEIC on most Android browsers, PDF) goes resumably when the input
     has data-tus-url: tus 1.0, in chunks, resumed from the server's offset after a cut or on a
     reopened page (upload-resumable.js, loaded only then from this tag's data-resumable);
   - the rest is posted at once (XHR, field "file" + the form's csrf_token, header X-Requested-With)
     with a progress bar, a thumbnail, a retry button, and automatic retries with back-off when
     the connection drops or the server is busy;
   - photos go one at a time (a page-wide queue): on a weak line each photo finishes sooner, a
     low-end phone shrinks one picture at a time, and the server never gets parallel writes to
     the same dossier; a photo waiting for a retry does not hold up the others;
   - the endpoint answers 2xx with an HTML fragment (<li> items) appended to the element named by
     data-upload-target, or 4xx with a short text message shown under the photo; 503 with
     Retry-After (all decoding slots taken) shows the server's message and tries again by itself
     after that many seconds (at most 60), without counting against the back-off.
   Without JavaScript the same form posts normally and the server does all the work.
   See docs/submissions.md ("Reusing the photo upload"). */
(function () {
  "use strict";
  var MAX_EDGE = 1600, QUALITY = 0.75, SMALL_ENOUGH = 350 * 1024;
  var BACKOFF = [2, 5, 10, 20, 40, 60];
  // A request may take as long as it needs while bytes move; only STALL seconds without progress end it.
  var STALL = 60;
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-worker");
  // The words it shows come from the page, in the reader's language: data-text-* on this script
  // tag (templates/_macros/scripts.html writes them through Babel).
  var data = (script && script.dataset) || {};
  var TEXT = {
    queued: data.textQueued, waiting: data.textWaiting, sending: data.textSending, offline: data.textOffline,
    retryIn: data.textRetryIn, retry: data.textRetry, dismiss: data.textDismiss, failed: data.textFailed,
    busy: data.textBusy, cut: data.textCut, progress: data.textProgress, minutes: data.textMinutes,
    seconds: data.textSeconds
  };

  document.documentElement.classList.add("js");

  function canShrinkOffThread() {
    return !!(workerUrl && window.Worker && window.OffscreenCanvas && window.createImageBitmap);
  }

  function shrinkInWorker(file) {
    return new Promise(function (resolve, reject) {
      var worker = new Worker(workerUrl);
      worker.onmessage = function (event) {
        worker.terminate();
        if (event.data && event.data.blob) { resolve(event.data.blob); } else { reject(event.data && event.data.error); }
      };
      worker.onerror = function (error) { worker.terminate(); reject(error); };
      worker.postMessage({ file: file, maxEdge: MAX_EDGE, quality: QUALITY });
    });
  }

  function decodeOnPage(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {  // old browsers: <img> applies EXIF orientation itself
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function shrinkOnPage(file) {
    return decodeOnPage(file).then(function (picture) {
      var width = picture.naturalWidth || picture.width, height = picture.naturalHeight || picture.height;
      var scale = Math.min(1, MAX_EDGE / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(picture, 0, 0, canvas.width, canvas.height);
      if (picture.close) { picture.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error("encode")); } },
          "image/jpeg", QUALITY);
      });
    });
  }

  /* Resolve to {blob, name}: the shrunk JPEG, or the original when shrinking fails or doesn't help. */
  function prepare(file) {
    var original = { blob: file, name: file.name || "anh.jpg" };
    if (!/^image\//.test(file.type || "") && !/\.(hei[cf]|jpe?g|png|webp)$/i.test(file.name || "")) {
      return Promise.resolve(original);  // PDF and others: the server checks them
    }
    var attempt = canShrinkOffThread() ? shrinkInWorker(file).catch(function () { return shrinkOnPage(file); })
      : shrinkOnPage(file);
    return attempt.then(function (blob) {
      if (file.type === "image/jpeg" && file.size <= SMALL_ENOUGH && blob.size >= file.size) { return original; }
      return { blob: blob, name: (file.name || "anh").replace(/\.[^.]*$/, "") + ".jpg" };
    }, function () { return original; });  // e.g. HEIC on Android: the server converts it
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* One upload at a time for the whole page. An upload leaves the queue when it succeeds, is
     refused, or waits for a retry; the retry puts it back at the end. */
  var pending = [], active = null;

  function schedule(upload) {
    if (active === upload || pending.indexOf(upload) >= 0) { return; }
    pending.push(upload);
    pump();
  }

  function pump() {
    if (active || !pending.length) { return; }
    active = pending.shift();
    active.run();
  }

  function release(upload) {
    if (active === upload) { active = null; }
    pump();
  }

  /* The progress list nearest the input: its fieldset's (a form with several documents), else the form's. */
  function queueFor(input) {
    var scope = (input.closest && input.closest("fieldset")) || input.form;
    var list = scope.querySelector(".upload-queue");
    if (!list) { list = element("ul", "upload-queue"); list.setAttribute("aria-live", "polite"); scope.appendChild(list); }
    return list;
  }

  function Upload(input, file, saved) {
    this.input = input;
    this.tusUrl = input.getAttribute("data-tus-url");
    this.offset = 0;
    if (saved) {  // reopened page: the file and its upload URL from IndexedDB
      this.prepared = { blob: file, name: saved.name };
      this.location = saved.url;
      this.key = saved.key;
      this.saved = true;
    }
    this.form = input.form;
    this.url = input.getAttribute("data-upload-url");
    this.target = document.querySelector(input.getAttribute("data-upload-target"));
    this.field = input.getAttribute("data-upload-field") || "file";
    this.file = file;
    this.tries = 0;
    this.timer = null;
    this.onOnline = null;
    this.item = element("li", "upload-item");
    this.preview = element("img", "upload-preview");
    this.preview.alt = "";
    this.preview.onerror = function () { this.classList.add("hidden"); };  // not an image we can show
    this.name = element("span", "upload-name", file.name || (saved && saved.name) || "");
    this.bar = element("progress", "upload-progress");
    this.bar.max = 100;
    this.bar.value = 0;
    this.status = element("span", "upload-status", TEXT.queued);
    this.retryButton = element("button", "secondary upload-retry hidden", TEXT.retry);
    this.retryButton.type = "button";
    this.dismissButton = element("button", "link upload-dismiss hidden", TEXT.dismiss);
    this.dismissButton.type = "button";
    this.bytes = element("span", "upload-bytes");
    [this.preview, this.name, this.bar, this.bytes, this.status, this.retryButton, this.dismissButton].forEach(function (n) {
      this.item.appendChild(n);
    }, this);
    queueFor(input).appendChild(this.item);
    var self = this;
    this.retryButton.addEventListener("click", function () { self.retry(); });
    this.dismissButton.addEventListener("click", function () { self.done(); });
    if (/^image\/(jpeg|png|webp|gif)$/.test(file.type || "")) {
      this.preview.src = URL.createObjectURL(file);
    }
    schedule(this);
  }

  /* Its turn in the queue: shrink the photo once, then send it. */
  Upload.prototype.run = function () {
    var self = this, file = this.file;
    if (this.prepared) { return this.send(); }
    this.status.textContent = TEXT.waiting;
    prepare(file).then(function (prepared) {
      self.prepared = prepared;
      if (prepared.blob !== file && !self.preview.src) { self.preview.src = URL.createObjectURL(prepared.blob); }
      if (prepared.blob !== file || !self.tusUrl) { return self.send(); }
      resumable().then(function (client) { self.key = client.fingerprint(self.tusUrl, file); },
        function () { return null; }).then(function () { self.send(); });  // no client: one POST, as before
    });
  };

  /* Try again (the button, the back-off timer or the network coming back): back in the queue. */
  Upload.prototype.retry = function () {
    this.stopWaiting();
    this.retryButton.classList.add("hidden");
    this.status.textContent = TEXT.queued;
    schedule(this);
  };

  Upload.prototype.stopWaiting = function () {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.onOnline) { window.removeEventListener("online", this.onOnline); }
    this.onOnline = null;
  };

  Upload.prototype.send = function () {
    var self = this;
    if (this.key) { return this.sendResumable(); }
    this.stopWaiting();
    this.retryButton.classList.add("hidden");
    this.dismissButton.classList.add("hidden");
    this.item.classList.remove("upload-error");
    if (navigator.onLine === false) { return this.waitForNetwork(); }
    this.status.textContent = TEXT.sending;
    this.bar.value = 0;
    var data = new FormData();
    var csrf = this.form.querySelector("input[name=csrf_token]");
    if (csrf) { data.append("csrf_token", csrf.value); }
    data.append(this.field, this.prepared.blob, this.prepared.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", this.url);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    watch(xhr);
    xhr.upload.onprogress = function (event) {
      xhr.alive();
      if (event.lengthComputable) { self.bar.value = Math.round(event.loaded * 100 / event.total); }
    };
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) { self.succeed(xhr.responseText); }
      else if (xhr.status === 503 && retryAfter(xhr)) { self.later(busyText(xhr), retryAfter(xhr)); }
      else if (xhr.status === 408 || xhr.status === 429 || xhr.status >= 500) { self.later(TEXT.busy); }
      else { self.refuse(xhr); }
    };
    xhr.onerror = xhr.onabort = function () { self.later(); };
    xhr.send(data);
  };

  Upload.prototype.succeed = function (html) {
    if (this.target) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var nodes = Array.prototype.slice.call(template.content.children);
      nodes.forEach(function (node) {
        if (node.id && document.getElementById(node.id)) { return; }  // the same page, already shown
        this.target.appendChild(node);
        if (window.htmx) { window.htmx.process(node); }
      }, this);
    }
    this.done();
  };

  Upload.prototype.refuse = function (xhr) {
    this.forget();
    var type = xhr.getResponseHeader("Content-Type") || "";
    this.status.textContent = type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : TEXT.failed;
    this.item.classList.add("upload-error");
    this.dismissButton.classList.remove("hidden");
    this.status.setAttribute("role", "alert");
    release(this);
  };

  /* Seconds the server asked to wait (Retry-After, 1-60), or 0. */
  function retryAfter(xhr) {
    var seconds = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
    return seconds > 0 ? Math.min(seconds, 60) : 0;
  }

  function busyText(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    return type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : TEXT.busy;
  }

  /* Wait, then try again: `seconds` when the server said how long (a busy server), else the back-off. */
  Upload.prototype.later = function (message, seconds) {
    var self = this;
    if (navigator.onLine === false) { return this.waitForNetwork(message); }
    if (!seconds) {
      seconds = BACKOFF[Math.min(this.tries, BACKOFF.length - 1)];
      this.tries += 1;
    }
    this.status.textContent = (message ? message + " " : "") + TEXT.retryIn.replace("{s}", seconds);
    this.retryButton.classList.remove("hidden");
    this.timer = setTimeout(function () { self.retry(); }, seconds * 1000);
    release(this);
  };

  /* Offline: wait for the browser's "online" event (one listener, however often "Gửi lại" is tapped). */
  Upload.prototype.waitForNetwork = function (message) {
    var self = this;
    this.stopWaiting();
    this.status.textContent = message || TEXT.offline;
    this.retryButton.classList.remove("hidden");
    this.onOnline = function () { self.retry(); };
    window.addEventListener("online", this.onOnline);
    release(this);
  };

  Upload.prototype.forget = function () { return null; };  // upload-resumable.js: drop what it kept

  Upload.prototype.done = function () {
    this.forget();
    this.stopWaiting();
    if (this.preview.src) { URL.revokeObjectURL(this.preview.src); }
    if (this.item.parentNode) { this.item.parentNode.removeChild(this.item); }
    release(this);
  };


  /* Abort a request that moves no byte for STALL seconds (a dead link); a slow live one goes on. */
  function watch(xhr) {
    var timer = null;
    xhr.alive = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { xhr.abort(); }, STALL * 1000);
    };
    xhr.addEventListener("loadend", function () { clearTimeout(timer); });
    xhr.alive();
  }

  /* The resumable client (upload-resumable.js, after idb-keyval, which keeps its unfinished files) is
     loaded only when a file cannot be shrunk, or when this browser holds unfinished uploads (a flag
     in localStorage): the page's cold weight stays low. */
  var resumableUrl = script && script.getAttribute("data-resumable"), resumableLoad = null;
  var storeUrl = script && script.getAttribute("data-store");

  function load(url) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = url;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("load")); };
      document.head.appendChild(tag);
    });
  }

  function resumable() {
    if (window.communeResumable) { return Promise.resolve(window.communeResumable); }
    if (!resumableUrl) { return Promise.reject(new Error("no resumable client")); }
    if (!resumableLoad) {
      var store = window.idbKeyval || !storeUrl ? Promise.resolve()
        : load(storeUrl).catch(function () { return null; });  // without it: this page only
      resumableLoad = store.then(function () { return load(resumableUrl); }).then(function () {
        if (!window.communeResumable) { throw new Error("no resumable client"); }
        return window.communeResumable;
      }, function (error) { resumableLoad = null; throw error; });
    }
    return resumableLoad;
  }

  function holdsUnfinished() {
    try { return !!localStorage.getItem("commune-uploads"); } catch (e) { return false; }
  }

  function enhance(root) {
    var inputs = (root || document).querySelectorAll("input[type=file][data-upload-url]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.getAttribute("data-upload-ready") || !input.form || !window.FormData) { return; }
      input.setAttribute("data-upload-ready", "1");
      input.form.classList.add("upload-enhanced");
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files, function (file) { new Upload(input, file); });
        input.value = "";
      });
    });
    if (holdsUnfinished() && document.querySelector("input[data-tus-url]")) {
      resumable().then(function (client) { client.resumeSaved(); }, function () { return null; });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  // "Xóa" takes a page back in place where the page loads no htmx (the photo step: 17 KB less on a
  // cold visit). The same request htmx would send; on any failure, the plain form (a full page).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (window.htmx || !form.matches || !form.matches(".photo-grid form[hx-post]")) { return; }
    event.preventDefault();
    var item = form.closest("li");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) { if (item) { item.outerHTML = html; } })
      .catch(function () { form.submit(); });
  });
  // What upload-resumable.js builds on.
  window.communeUpload = { enhance: enhance, Upload: Upload, TEXT: TEXT, watch: watch, retryAfter: retryAfter,
    busyText: busyText };
}());
