// Kuulolla's service worker (served at /sw.js by web/pwa.py, which fills in the
// version and the files below).
//
// It keeps only what is the same for everyone: the static files and the offline page
// with the crisis numbers. Pages, conversations and answers of the server are never
// cached: a page is always fetched from the network, and only when the network fails
// does the offline page answer instead. So a shared device keeps nothing of what a
// visitor read or wrote here, and the quick exit has nothing to remove.

const VERSION = {{ version|tojson }};
const CACHE = `kuulolla-${VERSION}`;
const OFFLINE = {{ offline|tojson }};  // {lang: address}
const LANGS = Object.keys(OFFLINE);
const STATIC = new Set({{ static|tojson }});
// How old a cached offline page may get before it is fetched again (the crisis numbers
// an organisation lists may change).
const OFFLINE_MAX_AGE_MS = 24 * 3600 * 1000;

// Fetched without cookies: what is cached is the same for everyone (no staff session
// shapes it), and fetching it changes nothing of the visitor's (their language).
function anonymous(address) {
  return new Request(address, { credentials: "omit" });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...Object.values(OFFLINE), ...STATIC].map(anonymous)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

// The offline page in the language of the address, else of the browser, else Finnish.
function offlineLang(url) {
  const asked = url.searchParams.get("lang");
  if (LANGS.includes(asked)) return asked;
  for (const tag of self.navigator.languages || []) {
    const code = tag.slice(0, 2).toLowerCase();
    if (LANGS.includes(code)) return code;
  }
  return LANGS[0];
}

async function offlinePage(url) {
  const cached = await caches.match(OFFLINE[offlineLang(url)]);
  return cached || new Response("", { status: 503, statusText: "Offline" });
}

async function refreshOfflinePages() {
  const cache = await caches.open(CACHE);
  for (const address of Object.values(OFFLINE)) {
    const cached = await cache.match(address);
    const date = cached ? Date.parse(cached.headers.get("date") || "") : NaN;
    if (!(Date.now() - date < OFFLINE_MAX_AGE_MS)) {
      try {
        await cache.add(anonymous(address));
      } catch (_) {
        return; // the network went away again; try on a later visit
      }
    }
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith((async () => {
      try {
        const response = (await event.preloadResponse) || (await fetch(request));
        event.waitUntil(refreshOfflinePages());
        return response;
      } catch (_) {
        return offlinePage(url);
      }
    })());
    return;
  }
  if (STATIC.has(url.pathname) && !url.search) {
    // The network first, so a new version is never hidden behind an old one; the
    // cached copy only when the network fails (the offline page needs its styles).
    event.respondWith(fetch(request).catch(async () => {
      return (await caches.match(request)) || Response.error();
    }));
  }
  // Anything else (the server's JSON, forms, sockets) is not touched.
});
