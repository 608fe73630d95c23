/* The carrier's round without signal: the service worker (served at /buu-chinh/phat/sw.js, so its
   scope is the round's pages only). It keeps the round page and the static files it needs, nothing
   else: never the day's data (the page keeps it in IndexedDB), never a record, never another page.
   A kept copy older than a day is not served. The page clears the cache at logout and at the end
   of the round. */
"use strict";

var CACHE = "carrier-pages-v1";
var SCOPE = new URL("./", self.location).pathname;
var DAY = 24 * 60 * 60 * 1000;

function cacheable(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/assets/") === 0) return true;
  return url.pathname === SCOPE;
}

function keyOf(url) {
  return url.pathname === SCOPE ? url.origin + SCOPE : url.href;
}

function put(key, response) {
  if (!response || response.status !== 200 || response.redirected || response.type !== "basic") {
    return Promise.resolve();
  }
  var headers = new Headers(response.headers);
  headers.set("x-cached-at", String(Date.now()));
  return response.blob().then(function (body) {
    var copy = new Response(body, {status: response.status, statusText: response.statusText, headers: headers});
    return caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
  });
}

function kept(key) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, {ignoreVary: true}).then(function (hit) {
      if (!hit) return null;
      var at = Number(hit.headers.get("x-cached-at") || 0);
      if (Date.now() - at > DAY) {
        return cache.delete(key).then(function () { return null; });
      }
      return hit;
    });
  });
}

function precache(urls) {
  return Promise.all((urls || []).map(function (href) {
    var url = new URL(href, self.location);
    if (!cacheable(url)) return null;
    return fetch(url.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return put(keyOf(url), response); })
      .catch(function () { return null; });
  }));
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache") event.waitUntil(precache(data.urls));
  if (data.type === "clear") event.waitUntil(caches.delete(CACHE));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!cacheable(url)) return;
  var key = keyOf(url);
  if (url.pathname === SCOPE) {
    // The round page: the network first (the server's state), the kept copy without signal.
    event.respondWith(fetch(request).then(function (response) {
      event.waitUntil(put(key, response.clone()));
      return response;
    }).catch(function () {
      return kept(key).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  // Static files carry their version in the URL: the kept copy first.
  event.respondWith(kept(key).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      event.waitUntil(put(key, response.clone()));
      return response;
    });
  }));
});
