/* The carrier's round without signal (templates/postal/round.html).

   Every step the carrier records (out, delivered, failed, returned) goes first into a queue on the
   phone (IndexedDB through idb-keyval), with an id made here and the time it happened; the queue is
   sent in order whenever there is signal, and the server stores each id once. The screen always
   lists what waits to be sent and the records the server's state overruled (shown, never dropped
   silently). The phone's copy (the day's items, the queue, the kept pages) belongs to one carrier:
   it is cleared at logout and at the end of the round, and expires after a day.
   Without JavaScript the cards' links and buttons are the online pages. */
(function () {
  "use strict";

  var script = document.currentScript;
  var cfg = script.dataset;
  var kv = window.idbKeyval;
  if (!kv || !window.indexedDB || !window.fetch || !window.FormData) return;

  var store = kv.createStore("mot-cua-xa-phat", "kv");
  var DAY = 24 * 60 * 60 * 1000;
  var CACHE = "carrier-pages-v1";
  var syncing = false;
  var csrfToken = "";

  function text(name, values) {
    var t = cfg["text" + name] || "";
    Object.keys(values || {}).forEach(function (k) { t = t.split("{" + k + "}").join(values[k]); });
    return t;
  }
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function clock(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  /* ---- the phone's copy ---- */

  function clearAll() {
    var done = [kv.clear(store)];
    if (window.caches) done.push(caches.delete(CACHE));
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "clear"});
    }
    return Promise.all(done).catch(function () { return null; });
  }
  function getQueue() { return kv.get("queue", store).then(function (q) { return q || []; }); }
  function getProblems() { return kv.get("problems", store).then(function (p) { return p || []; }); }

  function checkOwner() {
    // Another carrier's copy, or one older than a day: gone before anything is shown.
    return kv.get("owner", store).then(function (owner) {
      if (owner && (String(owner.carrier) !== cfg.carrier || Date.now() - owner.saved_at > DAY)) {
        return clearAll().then(function () { return null; });
      }
      return owner || null;
    });
  }

  function download() {
    return fetch(cfg.dataUrl, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (response.redirected) throw new Error("login");  // the session ended: the records wait here
      if (!response.ok) throw new Error("not signed in");
      return response.json();
    }).then(function (data) {
      if (String(data.carrier) !== cfg.carrier) throw new Error("another carrier");
      csrfToken = data.csrf_token;
      // The copy expires a day after the phone last reached the server (a lost phone forgets).
      return Promise.all([
        kv.set("manifest", data, store),
        kv.set("owner", {carrier: data.carrier, round: data.round, saved_at: Date.now()}, store),
      ]).then(function () { showSaved(data); return data; });
    });
  }

  function showSaved(data) {
    var line = $("[data-saved-line]");
    if (line && data.round) line.textContent = text("Saved", {n: data.items.length, t: clock(Date.now())});
  }

  function keepPages() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register(cfg.sw, {scope: cfg.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [cfg.scope].concat($$("script[src]").map(function (s) { return s.src; }),
        $$("link[rel=stylesheet]").map(function (l) { return l.href; }));
      if (registration.active) registration.active.postMessage({type: "precache", urls: urls});
    }).catch(function () { return null; });
  }

  /* ---- the cards ---- */

  function cardOf(itemId) { return $("#item-" + itemId); }

  function applyRecord(state, record, maxAttempts) {
    if (record.kind === "out") state.state = "out";
    if (record.kind === "delivered") state.state = "delivered";
    if (record.kind === "returned") state.state = "returned";
    if (record.kind === "failed") {
      state.attempts += 1;
      state.state = state.attempts >= maxAttempts ? "returned" : "held";
    }
    return state;
  }

  function localState(card, queue) {
    var state = {state: card.dataset.state, attempts: Number(card.dataset.attempts || 0), last: null};
    queue.forEach(function (record) {
      if (String(record.item_id) === card.dataset.item) {
        applyRecord(state, record, Number(cfg.maxAttempts || 3));
        state.last = record;
      }
    });
    return state;
  }

  function showActions(card, state) {
    var carried = state.state === "held" || state.state === "out";
    $$("[data-offline]", card).forEach(function (el) {
      var kind = el.dataset.offline;
      el.hidden = kind === "out" ? state.state !== "held" : !carried;
    });
  }

  function renderCards(queue) {
    $$(".round-card").forEach(function (card) {
      var state = localState(card, queue);
      var line = $("[data-local-state]", card);
      if (state.last) {
        line.textContent = text("Waiting") + ": " + kindLabel(state.last.kind) + " (" + clock(state.last.happened_at) + ")";
        line.hidden = false;
      } else {
        line.hidden = true;
      }
      showActions(card, state);
    });
  }

  function kindLabel(kind) {
    return {out: text("Out"), delivered: text("Delivered"), failed: text("Failed"), returned: text("Returned")}[kind];
  }

  function render() {
    return Promise.all([getQueue(), getProblems()]).then(function (lists) {
      var queue = lists[0];
      var problems = lists[1];
      var panel = $("#carrier-queue");
      panel.hidden = false;
      $("[data-queue-count]", panel).textContent = String(queue.length);
      var list = $("[data-queue-list]", panel);
      list.textContent = "";
      queue.forEach(function (record) {
        var li = document.createElement("li");
        li.textContent = kindLabel(record.kind) + " — " + record.name + " (" + record.reference + ") — " +
          clock(record.happened_at);
        list.appendChild(li);
      });
      status(queue.length ? (navigator.onLine ? "" : text("Offline")) : text("AllSent"));
      var box = $("#carrier-problems");
      var plist = $("[data-problem-list]", box);
      plist.textContent = "";
      box.hidden = !problems.length;
      problems.forEach(function (problem) {
        var li = document.createElement("li");
        var what = document.createElement("p");
        what.textContent = kindLabel(problem.kind) + " — " + problem.name + " (" + problem.reference + ") — " +
          clock(problem.happened_at);
        var why = document.createElement("p");
        why.textContent = problem.message;
        var dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "secondary";
        dismiss.textContent = text("Dismiss");
        dismiss.addEventListener("click", function () {
          kv.update("problems", function (p) {
            return (p || []).filter(function (x) { return x.id !== problem.id; });
          }, store).then(render);
        });
        li.appendChild(what);
        li.appendChild(why);
        li.appendChild(dismiss);
        plist.appendChild(li);
      });
      renderCards(queue);
      return queue;
    });
  }

  function status(message) {
    var line = $("[data-sync-status]");
    if (line) line.textContent = message;
  }

  /* ---- recording ---- */

  function addRecord(card, record) {
    return kv.get("manifest", store).then(function (manifest) {
      var known = manifest && manifest.items.some(function (i) { return String(i.id) === card.dataset.item; });
      if (!known) {
        window.alert(text("NotOnRound"));
        return null;
      }
      record.id = newId();
      record.item_id = Number(card.dataset.item);
      record.happened_at = Date.now();
      record.name = card.dataset.name;
      record.reference = card.dataset.reference;
      return kv.update("queue", function (q) { return (q || []).concat([record]); }, store).then(function () {
        return render();
      }).then(function () { sync(); return record; });
    });
  }

  function shrink(file, maxBytes) {
    // The photo made small on the phone: at most 1280 px, JPEG; smaller again if still too heavy.
    return createImageBitmap(file).then(function (bitmap) {
      function attempt(side, quality) {
        var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
          if (blob && blob.size <= maxBytes) return blob;
          if (side > 640) return attempt(Math.round(side * 0.75), 0.6);
          return blob;
        });
      }
      return attempt(1280, 0.75);
    });
  }

  function formError(form, message) {
    var p = $("[data-form-error]", form);
    p.textContent = message;
    p.hidden = !message;
    return null;
  }

  function openForm(card, kind) {
    var slot = $("[data-form-slot]", card);
    var template = $("#carrier-form-" + kind);
    slot.innerHTML = template.innerHTML.split("__ID__").join(card.dataset.item);
    var form = $("form", slot);
    var pad = null;
    var fee = Number(card.dataset.fee || 0);
    if (kind === "delivered") {
      var canvas = $("canvas", form);
      pad = new window.SignaturePad(canvas, {backgroundColor: "rgba(0,0,0,0)"});
      $("[data-sign-clear]", form).addEventListener("click", function () { pad.clear(); });
      $("input[name=fee_collected][value=" + (fee ? "yes" : "no") + "]", form).checked = true;
      form.elements.fee_amount.value = fee ? String(fee) : "";
    }
    $("[data-form-cancel]", form).addEventListener("click", function () { slot.textContent = ""; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      (kind === "delivered" ? deliveredRecord(form, pad) : failedRecord(form)).then(function (record) {
        if (!record) return null;
        slot.textContent = "";
        return addRecord(card, record);
      });
    });
    var first = $("input, select, textarea", form);
    if (first) first.focus();
  }

  function failedRecord(form) {
    var reason = form.elements.reason.value;
    var note = form.elements.note.value.trim();
    if (!reason) return Promise.resolve(formError(form, text("ReasonMissing")));
    if (reason === "other" && !note) return Promise.resolve(formError(form, text("NoteMissing")));
    return Promise.resolve({kind: "failed", reason: reason, note: note});
  }

  function deliveredRecord(form, pad) {
    var maxPhoto = Number(cfg.maxPhoto);
    var maxSignature = Number(cfg.maxSignature);
    var record = {
      kind: "delivered", receiver: form.elements.receiver.value || "self",
      relative_name: form.elements.relative_name.value.trim(), relation: form.elements.relation.value,
      fee_collected: form.elements.fee_collected.value || "no", fee_amount: form.elements.fee_amount.value.trim(),
    };
    if (record.receiver === "relative" && (!record.relative_name || !record.relation)) {
      return Promise.resolve(formError(form, text("RelativeMissing")));
    }
    if (pad.isEmpty()) return Promise.resolve(formError(form, text("SignatureMissing")));
    var signature = new Promise(function (resolve) { pad.canvas.toBlob(resolve, "image/png"); });
    var file = form.elements.photo.files[0];
    var photo = file ? shrink(file, maxPhoto) : Promise.resolve(null);
    return Promise.all([signature, photo]).then(function (blobs) {
      if (!blobs[0] || blobs[0].size > maxSignature) {
        return formError(form, text("SignatureBig", {kb: Math.floor(maxSignature / 1024)}));
      }
      if (blobs[1] && blobs[1].size > maxPhoto) {
        return formError(form, text("PhotoBig", {kb: Math.floor(maxPhoto / 1024)}));
      }
      record.signature = blobs[0];
      record.photo = blobs[1];
      return record;
    });
  }

  function onAction(event) {
    var el = event.target.closest("[data-offline]");
    if (!el) return;
    var card = el.closest(".round-card");
    kv.get("manifest", store).then(function (manifest) {
      if (!manifest || !manifest.round) {  // the round not taken onto the phone: the online page
        if (el.tagName === "FORM") el.submit(); else window.location.href = el.href;
        return;
      }
      var kind = el.dataset.offline;
      if (kind === "out" || kind === "returned") addRecord(card, {kind: kind, note: ""});
      else openForm(card, kind);
    });
    event.preventDefault();
  }

  /* ---- sending ---- */

  function body(record) {
    var data = new FormData();
    data.append("csrf_token", csrfToken);
    ["id", "item_id", "kind", "happened_at", "reason", "note", "receiver", "relative_name", "relation",
      "fee_collected", "fee_amount"].forEach(function (name) {
      if (record[name] !== undefined && record[name] !== null) data.append(name === "id" ? "client_id" : name, record[name]);
    });
    if (record.photo) data.append("photo", record.photo, "anh.jpg");
    if (record.signature) data.append("signature", record.signature, "chu-ky.png");
    return data;
  }

  function send(record) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 30000) : null;
    return fetch(cfg.recordUrl, {
      method: "POST", body: body(record), credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken, "Accept": "application/json"},
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      clearTimeout(timer);
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected) return {stop: text("Login")};
      if (!json) return {stop: ""};  // busy, a proxy's page, a clash: try again later
      return response.json();
    });
  }

  function settle(record, answer) {
    var item = answer.item || {};
    var card = cardOf(record.item_id);
    if (card && item.state) {
      card.dataset.state = item.state;
      card.dataset.attempts = String(item.failed_attempts || 0);
      var badge = $("[data-server-state] .badge", card);
      if (badge) badge.textContent = item.state_label;
    }
    var drop = kv.update("queue", function (q) {
      return (q || []).filter(function (x) { return x.id !== record.id; });
    }, store);
    if (answer.outcome === "conflict" || answer.outcome === "refused") {
      var problem = {id: record.id, kind: record.kind, name: record.name, reference: record.reference,
        happened_at: record.happened_at, message: answer.message};
      return drop.then(function () {
        return kv.update("problems", function (p) { return (p || []).concat([problem]); }, store);
      });
    }
    return drop;
  }

  function sync() {
    if (syncing) return Promise.resolve();
    if (!navigator.onLine) { status(text("Offline")); return Promise.resolve(); }
    syncing = true;
    return getQueue().then(function (queue) {
      if (!queue.length) return null;
      status(text("Sending"));
      return download().then(function () {
        function next() {
          return getQueue().then(function (q) {
            if (!q.length) return null;
            var record = q[0];
            return send(record).then(function (answer) {
              if (answer.stop !== undefined) { status(answer.stop); throw new Error("stop"); }
              return settle(record, answer).then(next);
            });
          });
        }
        return next();
      });
    }).catch(function (error) {
      if (!navigator.onLine) status(text("Offline"));
      else if (error && error.message === "login") status(text("Login"));
    }).then(function () {
      syncing = false;
      return render();
    });
  }

  /* ---- leaving ---- */

  function guardLogout() {
    $$("form[action$='/dang-xuat']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        getQueue().then(function (queue) {
          if (queue.length && !window.confirm(text("LogoutPending", {n: queue.length}))) return null;
          return clearAll().then(function () { form.submit(); });
        });
      });
    });
  }

  function guardClose() {
    var form = $("[data-round-close]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sync().then(getQueue).then(function (queue) {
        if (queue.length) { window.alert(text("ClosePending", {n: queue.length})); return; }
        form.submit();
      });
    });
  }

  function start() {
    guardLogout();
    if (cfg.closedRound) {  // the hand-back sheet: the round is over, its copy leaves the phone
      kv.get("owner", store).then(function (owner) {
        if (!owner || String(owner.round) === cfg.closedRound) clearAll();
      });
      return;
    }
    checkOwner().then(function () {
      document.addEventListener("click", function (event) {
        if (event.target.closest("a[data-offline]")) onAction(event);
      });
      document.addEventListener("submit", function (event) {
        if (event.target.matches("form[data-offline]")) onAction(event);
      });
      $("[data-sync-now]").addEventListener("click", function () { sync(); });
      guardClose();
      window.addEventListener("online", function () { sync(); });
      window.addEventListener("offline", function () { render(); });
      setInterval(function () { sync(); }, 30000);
      return render();
    }).then(function () {
      if (cfg.round && navigator.onLine) {
        download().catch(function () { return null; }).then(keepPages).then(sync);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
