/* The service worker, served from the site's root (/sw.js, ips/views/offline.py).

   What it keeps: the static files (styles, scripts, icons) and the offline page, nothing else.
   Pages and API answers carry client data: they always go to the network and are never stored
   (the server marks them no-store as well), so a lost phone holds no client record. A page that
   cannot be reached shows the offline page. Contacts logged offline are not kept here but in
   the page's outbox (offline.js), encrypted. */
"use strict";

const CACHE = "ips-static-v1";
const OFFLINE_URL = "/offline/";
const STATIC_PREFIX = "/static/";

// The offline page and the static files it names, fetched without a cookie: the page is the
// same for everyone.
async function precache() {
  const cache = await caches.open(CACHE);
  const response = await fetch(OFFLINE_URL, { credentials: "omit" });
  if (!response.ok) {
    throw new Error(`The offline page answered ${response.status}.`);
  }
  const html = await response.clone().text();
  await cache.put(OFFLINE_URL, response);
  const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)]
    .map((match) => new URL(match[1], self.location.origin))
    .filter((url) => url.origin === self.location.origin && url.pathname.startsWith(STATIC_PREFIX));
  await cache.addAll(assets.map((url) => url.pathname));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Static files: the network first (so a new deployment is seen at once), the kept copy without
// a signal.
async function staticFile(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await cache.match(request)) || Response.error();
  }
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return; // writes and other sites: the browser's own handling
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(request));
  }
});
