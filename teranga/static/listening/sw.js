/* Teranga — the rating tablet's service worker. Served by Django at /avis/sw.js, which puts
   ASSETS (the page's static files, hashed names in production) and VERSION above this line.
   Registered with the scope of one tablet page (/avis/<site>/tablette/): it keeps that page and
   its assets, answers from the network when it can and from the copy when it cannot. The
   ratings themselves never pass through here: the page queues them and posts them itself. */
"use strict";
const SCOPE = new URL(self.registration.scope);
const PREFIX = "teranga-tablet-" + SCOPE.pathname + "-";
const CACHE = PREFIX + VERSION;
const PAGE_TIMEOUT = 5000; // a slow link: show the kept page rather than a blank screen

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      await cache.add(new Request(SCOPE.href, { cache: "reload", credentials: "same-origin" }));
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

const pageFromNetwork = async (request) => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PAGE_TIMEOUT);
  try {
    const response = await fetch(request, { signal: abort.signal });
    if (response.status >= 500) throw new Error("server unavailable");
    if (response.ok && response.type === "basic") {
      const cache = await caches.open(CACHE);
      await cache.put(SCOPE.href, response.clone());
    }
    return response;
  } finally {
    clearTimeout(timer);
  }
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  if (request.mode === "navigate" && url.pathname === SCOPE.pathname) {
    event.respondWith(
      pageFromNetwork(request).catch(async () => {
        const kept = await caches.match(SCOPE.href, { cacheName: CACHE });
        return kept || Response.error();
      })
    );
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(
      (async () => (await caches.match(url.pathname, { cacheName: CACHE })) || fetch(request))()
    );
  }
});
