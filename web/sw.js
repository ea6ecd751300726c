// The installed app's service worker (issue 17): the portal's static files are kept on the device, so
// the pages open without a network; a page that is not kept, or an API call, shows the offline page.
//
// - pages and static files (PRECACHE): from the network when it answers (always the deployed
//   version), else from the cache; the cache is refreshed on every successful fetch;
// - a few read-only API answers the pages need to start (province wording, form rules, regions):
//   network first, the last answer when offline;
// - everything else under /v1/ (registrations, codes, queries): network only, never stored — no
//   personal data is written to the cache;
// - a navigation that fails and is not cached: /offline.html.
// The registration draft itself lives in localStorage (pages/register.js), not here.

const VERSION = "birthreg-v3";
const OFFLINE = "/offline.html";
const PRECACHE = [
  "/",
  "/index.html",
  "/guide.html",
  "/register.html",
  "/special.html",
  "/query.html",
  "/verify.html",
  "/birth.html",
  "/birth-verify.html",
  "/birth-declare.html",
  "/appointment.html",
  "/offline.html",
  "/404.html",
  "/manifest.webmanifest",
  "/static/css/site.css",
  "/static/js/api.js",
  "/static/js/case-view.js",
  "/static/js/elder.js",
  "/static/js/form.js",
  "/static/js/profile.js",
  "/static/js/pwa.js",
  "/static/js/regions.js",
  "/static/js/rules.js",
  "/static/js/sms.js",
  "/static/js/ui.js",
  "/static/js/pages/home.js",
  "/static/js/pages/query.js",
  "/static/js/pages/register.js",
  "/static/js/pages/verify.js",
  "/static/js/pages/birth.js",
  "/static/js/pages/birth-verify.js",
  "/static/js/pages/birth-declare.js",
  "/static/js/pages/appointment.js",
  "/static/img/favicon.svg",
  "/static/img/logo.svg",
  "/static/img/guide.svg",
  "/static/img/register.svg",
  "/static/img/special.svg",
  "/static/img/query.svg",
  "/static/img/icon-192.png",
  "/static/img/icon-512.png",
  "/static/img/icon-maskable-512.png",
  "/static/img/apple-touch-icon.png",
];
const API_KEPT = [/^\/v1\/profiles$/, /^\/v1\/form-rules$/, /^\/v1\/regions(\/|$)/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(VERSION)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, { fallback } = {}) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch {
    const kept = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (kept) return kept;
    if (fallback) return cache.match(fallback);
    return new Response(JSON.stringify({ error: { code: "OFFLINE", message: "网络连接失败，请检查网络后重试", details: [] } }), {
      status: 503,
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/.well-known/")) {
    if (API_KEPT.some((re) => re.test(url.pathname))) event.respondWith(networkFirst(request));
    return; // personal data: network only
  }
  if (url.pathname.startsWith("/staff") || url.pathname.startsWith("/_dev/")) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, { fallback: OFFLINE }));
    return;
  }
  event.respondWith(networkFirst(request));
});
