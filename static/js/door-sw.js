// The door's service worker: the scanner page opens without network once it has been opened.
// Served as /accueil/sw.js, so its scope is the door pages (/accueil/…) and nothing else.
// It keeps only the scanner page itself (/accueil/<event>) and the static files that page
// uses; every other request goes to the network untouched (the API, forms, other pages).
// Network first: online, people always get the fresh page; the copy is for when it fails.
"use strict";

var CACHE = "door-v1";
var SCANNER = /^\/accueil\/\d+\/?$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("door-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(request, key) {
  return fetch(request).then(function (response) {
    // A login redirect or an error page is not the scanner: never keep it, and drop the
    // copy kept before (the access ended, or someone signed out on this device).
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
    } else if (response.redirected || response.status === 401 || response.status === 403) {
      caches.open(CACHE).then(function (cache) { return cache.delete(key); });
    }
    return response;
  }).catch(function () {
    return caches.match(key, { ignoreVary: true, ignoreSearch: false }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && SCANNER.test(url.pathname)) {
    // The page with a search (?q=…) is fetched as usual; offline, the plain page answers.
    if (url.search) {
      event.respondWith(fetch(request).catch(function () {
        return caches.match(url.pathname, { ignoreVary: true }).then(function (hit) {
          return hit || Response.error();
        });
      }));
      return;
    }
    event.respondWith(kept(request, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(kept(request, request.url));
  }
});
