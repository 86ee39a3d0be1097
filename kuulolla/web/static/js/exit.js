// Quick exit: a button on every visitor page, Shift pressed three times, and on a touch
// screen two quick taps on an empty spot of the page.
//
// Other scripts hear "kuulolla:exit" first: they close their sockets and leave the queue
// or the conversation (a request that outlives the page, `fetch(..., {keepalive})`),
// and may hand a promise to `event.detail.waitFor` so the way out waits a moment for it.
// Then the tab's storage is cleared, the page blanked, and the tab goes through /exit,
// whose answer tells the browser to forget the site's cookies, storage and cache
// (Clear-Site-Data), on to the neutral site. Both steps use location.replace, so Back
// does not return to the service. In a frame on another site, the whole window is
// replaced.

const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 1500;
const TAP_WINDOW_MS = 400;
const TAP_DISTANCE_PX = 40;
const WAIT_MS = 700;  // the longest the way out waits for a leave request

let leaving = false;

export function quickExit() {
  if (leaving) return;
  leaving = true;
  const target = document.body.dataset.exitUrl || "about:blank";
  const pending = [];
  document.dispatchEvent(new CustomEvent("kuulolla:exit", {
    detail: { waitFor: (promise) => pending.push(promise) },
  }));
  try { sessionStorage.clear(); } catch (_) { /* storage may be disabled */ }
  try { localStorage.clear(); } catch (_) { /* storage may be disabled */ }
  document.title = "";
  document.body.replaceChildren();
  if (window.self !== window.top) {
    leaveFrame(target);
    return;
  }
  const go = () => window.location.replace("/exit");
  if (!pending.length) {
    go();
    return;
  }
  Promise.race([
    Promise.allSettled(pending),
    new Promise((resolve) => setTimeout(resolve, WAIT_MS)),
  ]).then(go, go);
}

// The chat embedded on an organisation's site: the whole window must go, not only the
// frame. The site's embedding script (embed.js) replaces its page when asked; and a
// frame may replace the top window itself after a click or key press in it (user
// activation) unless the site sandboxed it without allow-top-navigation. If neither
// works (a plain <iframe> in a strict sandbox), the frame at least goes blank.
function leaveFrame(target) {
  try { window.parent.postMessage({ kuulolla: "exit", url: target }, "*"); } catch (_) { /* gone */ }
  try {
    window.top.location.replace(target);
    return;
  } catch (_) { /* refused by the browser or the sandbox */ }
  window.location.replace("about:blank");
}

let presses = [];

document.addEventListener("keydown", (event) => {
  if (event.key !== "Shift" || event.repeat) return;
  const now = performance.now();
  presses = presses.filter((t) => now - t < SHIFT_WINDOW_MS);
  presses.push(now);
  if (presses.length >= SHIFT_PRESSES) {
    presses = [];
    quickExit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-quick-exit]") : null;
  if (button) {
    event.preventDefault();
    quickExit();
  }
});

// Touch keyboards have no Shift to press three times: two quick taps with one finger on
// a spot that is not a control, a link or text being edited leave too.
const CONTROLS = "a, button, input, textarea, select, label, summary, details, [contenteditable], [role=button], [tabindex]:not(main)";
let lastTap = null;

document.addEventListener("touchend", (event) => {
  if (event.touches.length || event.changedTouches.length !== 1) return;
  const target = event.target instanceof Element ? event.target : null;
  if (!target || target.closest(CONTROLS)) {
    lastTap = null;
    return;
  }
  const touch = event.changedTouches[0];
  const now = performance.now();
  const near = lastTap
    && now - lastTap.t < TAP_WINDOW_MS
    && Math.abs(touch.clientX - lastTap.x) < TAP_DISTANCE_PX
    && Math.abs(touch.clientY - lastTap.y) < TAP_DISTANCE_PX;
  if (near) {
    lastTap = null;
    event.preventDefault();
    quickExit();
    return;
  }
  lastTap = { t: now, x: touch.clientX, y: touch.clientY };
}, { passive: false });

// A page of the service shown at /exit means /exit itself did not answer (offline, the
// service worker's offline page stands in for it): go on to the neutral site.
if (window.location.pathname === "/exit") {
  window.location.replace(document.body?.dataset.exitUrl || "about:blank");
}
