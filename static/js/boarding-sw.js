/* Service worker of the field-visit roll call: serves the roll-call page and its static files from the
   phone's cache when there is no network (a quay, a boat). Always the network first, so a guide with
   signal sees the current list; the cache only answers when the network does not. Marks and polls are
   not touched: the page queues those itself. */
"use strict";

var CACHE = "portmeet-roll-call";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function handled(request) {
  if (request.method !== "GET") { return false; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return false; }
  return (request.mode === "navigate" && /\/visits\/\d+\/boarding$/.test(url.pathname))
    || url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!handled(request)) { return; }
  // One cached copy per page, whichever pass (?step=) was open when it was stored.
  var key = new URL(request.url);
  key.search = "";
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key.href, copy); });
    }
    return response;
  }, function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key.href); }).then(function (cached) {
      return cached || Response.error();
    });
  }));
});
