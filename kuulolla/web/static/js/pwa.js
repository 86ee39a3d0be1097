// Registers the service worker (served at /sw.js; web/pwa.py), which caches only the
// static files and the offline page, never a page or a conversation. Not inside a
// frame on another site: an embedded chat keeps nothing beyond its tab.
if ("serviceWorker" in navigator && window.self === window.top) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    /* private windows and some browsers refuse workers; the site works without one */
  });
}
