// The playground's service worker: after the first visit the page works offline. It
// precaches the page, its modules, styles, the vendor bundle and the package (JS + wasm)
// listed in dist/precache.js (written by scripts/build-www.mjs, with a version that is a
// hash of those files), and answers same-origin GET requests from that cache first. It
// never fetches from another origin: other requests are not touched.
importScripts("dist/precache.js");

const { version, files } = self.STATELAB_PRECACHE;
const PREFIX = "statelab-playground-";
const CACHE = `${PREFIX}${version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: "reload" skips the HTTP cache, so the precache holds what the server has now.
      await cache.addAll(files.map((file) => new Request(file, { cache: "reload" })));
      // A new build takes over at once; the pages it controls pick it up on their next load.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim(); // the first visit's page is served offline too
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // A page's query string (none is used) must not miss the cached page.
      const cached = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
      if (cached) return cached;
      const response = await fetch(request);
      // Files not in the list (e.g. pages added later) are kept once fetched.
      if (response.ok && response.type === "basic") await cache.put(request, response.clone());
      return response;
    })(),
  );
});
