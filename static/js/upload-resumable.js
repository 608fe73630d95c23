/* Một Cửa Xã — resumable uploads (tus 1.0) for what the phone cannot shrink. Loaded by upload.js
   only when needed (a file it could not shrink, or unfinished uploads in this browser).

   Creation (POST to the input's data-tus-url, Upload-Length, Upload-Metadata filename), PATCH
   chunks sized for the link (about CHUNK_SECONDS of transfer each, 64 KB - 1 MB), Upload-Checksum
   sha1 where the browser has crypto.subtle, HEAD for the server's offset after a cut, GET for the
   outcome (the page's <li>, a refusal, or 503 busy). The upload's URL and the file are kept in
   IndexedDB (the URL also in localStorage, keyed on a fingerprint) so a reopened page resumes.
   No request has an overall timeout: only STALL seconds without a byte moving end one.
   See docs/submissions.md ("Resumable uploads"). */
(function () {
  "use strict";
  var base = window.communeUpload;
  if (!base) { return; }
  var Upload = base.Upload, TEXT = base.TEXT, watch = base.watch, retryAfter = base.retryAfter,
    busyText = base.busyText;
  var CHUNK_MIN = 64 * 1024, CHUNK_START = 128 * 1024, CHUNK_MAX = 1024 * 1024, CHUNK_SECONDS = 5;

  function fingerprint(endpoint, file) {
    return ["tus", endpoint, file.name, file.size, file.lastModified || 0].join("|");
  }

  /* IndexedDB, through idb-keyval (loaded before this file by upload.js), keeps {key, url, endpoint,
     name, file} of unfinished uploads under their key (a reopened page resumes them). */
  var kv = window.idbKeyval, unfinished = null;

  function kept(work) {
    if (!kv || !window.indexedDB) { return Promise.reject(new Error("no IndexedDB")); }
    try {
      unfinished = unfinished || kv.createStore("commune-resumable", "files");
      return work(unfinished);
    } catch (e) { return Promise.reject(e); }
  }

  function quietly(promise) { return promise.catch(function () { return null; }); }

  Upload.prototype.remember = function () {
    try {
      localStorage.setItem(this.key, this.location);
      localStorage.setItem("commune-uploads", "1");  // upload.js loads this file on the next page
    } catch (e) { /* private mode: this page only */ }
    var entry = { key: this.key, url: this.location, endpoint: this.tusUrl, name: this.prepared.name,
      file: this.prepared.blob };
    quietly(kept(function (store) { return kv.set(entry.key, entry, store); }));
  };

  Upload.prototype.forget = function () {
    var key = this.key;
    if (!key) { return; }
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    quietly(kept(function (store) { return kv.del(key, store); }));
  };

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  function duration(seconds) {
    seconds = Math.max(1, Math.round(seconds));
    var minutes = Math.floor(seconds / 60), text = TEXT.seconds.replace("{n}", seconds % 60);
    return minutes ? TEXT.minutes.replace("{n}", minutes) + (seconds % 60 ? " " + text : "") : text;
  }

  Upload.prototype.request = function (method, url, headers) {
    var xhr = new XMLHttpRequest(), csrf = this.form.querySelector("input[name=csrf_token]");
    xhr.open(method, url);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (method !== "GET") { xhr.setRequestHeader("Tus-Resumable", "1.0.0"); }
    if (csrf) { xhr.setRequestHeader("X-CSRFToken", csrf.value); }
    Object.keys(headers || {}).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
    watch(xhr);
    return xhr;
  };

  Upload.prototype.sendResumable = function () {
    this.stopWaiting();
    this.retryButton.classList.add("hidden");
    this.dismissButton.classList.add("hidden");
    this.item.classList.remove("upload-error");
    this.status.removeAttribute("role");
    if (navigator.onLine === false) { return this.waitForNetwork(this.cutText()); }
    this.status.textContent = TEXT.sending;
    this.chunk = this.chunk || CHUNK_START;
    if (!this.location) {
      try { this.location = localStorage.getItem(this.key); } catch (e) { this.location = null; }
    }
    return this.location ? this.askOffset() : this.create();
  };

  Upload.prototype.create = function () {
    var self = this, name = this.prepared.name || "tep";
    var encoded = btoa(unescape(encodeURIComponent(name)));
    var xhr = this.request("POST", this.tusUrl, { "Upload-Length": String(this.prepared.blob.size),
      "Upload-Metadata": "filename " + encoded });
    xhr.onload = function () {
      if (xhr.status === 201 && xhr.getResponseHeader("Location")) {
        self.location = new URL(xhr.getResponseHeader("Location"), location.href).href;
        self.offset = 0;
        self.remember();
        self.patch();
      } else { self.failed(xhr); }
    };
    xhr.onerror = xhr.onabort = function () { self.cut(); };
    xhr.send();
  };

  /* After a cut or on a reopened page: where the server's copy ends. */
  Upload.prototype.askOffset = function () {
    var self = this, xhr = this.request("HEAD", this.location);
    xhr.onload = function () {
      if (xhr.status === 200) {
        self.offset = parseInt(xhr.getResponseHeader("Upload-Offset") || "0", 10) || 0;
        return self.offset >= self.prepared.blob.size ? self.finish() : self.patch();
      }
      if (xhr.status === 404 && self.saved) { return self.done(); }  // another draft's: not this page's file
      if (xhr.status === 404 || xhr.status === 410) { self.restart(); } else { self.failed(xhr); }
    };
    xhr.onerror = xhr.onabort = function () { self.cut(); };
    xhr.send();
  };

  /* The server no longer knows the upload (expired, removed): start it again from zero. */
  Upload.prototype.restart = function () {
    this.forget();
    this.location = null;
    this.offset = 0;
    this.create();
  };

  function sha1(blob) {
    if (!(window.crypto && crypto.subtle && blob.arrayBuffer)) { return Promise.resolve(null); }
    return blob.arrayBuffer().then(function (buffer) { return crypto.subtle.digest("SHA-1", buffer); })
      .then(function (digest) { return "sha1 " + btoa(String.fromCharCode.apply(null, new Uint8Array(digest))); },
        function () { return null; });
  }

  Upload.prototype.patch = function () {
    var self = this, total = this.prepared.blob.size;
    var piece = this.prepared.blob.slice(this.offset, Math.min(total, this.offset + this.chunk));
    sha1(piece).then(function (checksum) {
      var headers = { "Upload-Offset": String(self.offset), "Content-Type": "application/offset+octet-stream" };
      if (checksum) { headers["Upload-Checksum"] = checksum; }
      var xhr = self.request("PATCH", self.location, headers), started = Date.now();
      xhr.upload.onprogress = function (event) {
        xhr.alive();
        self.showProgress(self.offset + event.loaded, total, (Date.now() - started) / 1000, event.loaded);
      };
      xhr.onload = function () {
        if (xhr.status === 204) {
          var offset = parseInt(xhr.getResponseHeader("Upload-Offset") || "0", 10);
          var seconds = Math.max(0.2, (Date.now() - started) / 1000), speed = (offset - self.offset) / seconds;
          self.speed = speed;
          self.chunk = Math.max(CHUNK_MIN, Math.min(CHUNK_MAX, Math.round(speed * CHUNK_SECONDS)));
          self.offset = offset;
          self.tries = 0;
          return offset >= total ? self.finish() : self.patch();
        }
        if (xhr.status === 409 || xhr.status === 460) { return self.askOffset(); }  // out of step, or damaged
        if (xhr.status === 404 || xhr.status === 410) { return self.restart(); }
        self.failed(xhr);
      };
      xhr.onerror = xhr.onabort = function () { self.cut(); };
      xhr.send(piece);
    });
  };

  Upload.prototype.showProgress = function (sent, total, seconds, moved) {
    var speed = moved > 0 && seconds > 0 ? moved / seconds : this.speed;
    this.bar.value = Math.floor(sent * 100 / total);
    this.bytes.textContent = TEXT.progress.replace("{sent}", megabytes(sent)).replace("{total}", megabytes(total))
      .replace("{left}", speed ? duration((total - sent) / speed) : "…");
  };

  /* Every byte is there: the server ran its checks; ask for the page (or the reason it was refused). */
  Upload.prototype.finish = function () {
    var self = this, xhr = this.request("GET", this.location);
    this.bar.value = 100;
    this.status.textContent = TEXT.waiting;
    xhr.onload = function () {
      if (xhr.status === 200) { self.succeed(xhr.responseText); }
      else if (xhr.status === 409) { self.askOffset(); }
      else { self.failed(xhr); }
    };
    xhr.onerror = xhr.onabort = function () { self.cut(); };
    xhr.send();
  };

  Upload.prototype.failed = function (xhr) {
    if (xhr.status === 503 && retryAfter(xhr)) { return this.later(busyText(xhr), retryAfter(xhr)); }
    if (xhr.status === 408 || xhr.status === 423 || xhr.status === 429 || xhr.status >= 500) {
      return this.later(TEXT.busy);
    }
    this.refuse(xhr);
  };

  Upload.prototype.cutText = function () {
    var total = this.prepared.blob.size;
    return TEXT.cut.replace("{p}", (total ? Math.floor(this.offset * 100 / total) : 0) + " %");
  };

  /* The link dropped: say from where it will go on, and go on when it returns (or after the back-off). */
  Upload.prototype.cut = function () {
    this.later(this.cutText());
  };

  /* A reopened page: the unfinished files of this page's uploads, from IndexedDB. */
  function resumeSaved() {
    quietly(kept(function (store) { return kv.values(store); })).then(function (entries) {
      if (entries && !entries.length) {
        try { localStorage.removeItem("commune-uploads"); } catch (e) { /* nothing kept */ }
      }
      (entries || []).forEach(function (entry) {
        var input = document.querySelector("input[data-upload-ready][data-tus-url='" + entry.endpoint + "']");
        if (input && entry.file && !resumed[entry.key]) {
          resumed[entry.key] = true;
          new Upload(input, entry.file, entry);
        }
      });
    });
  }
  var resumed = {};


  window.communeResumable = { fingerprint: fingerprint, resumeSaved: resumeSaved };
}());
