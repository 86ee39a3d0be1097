// Quick exit: a button on every visitor page and Shift pressed three times.
// Replaces the page with a neutral site (location.replace keeps this page out of the
// tab's back history), clears what this tab stored and tells other scripts to close
// their sockets. In a frame on another site, the whole window is replaced.

const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 1500;

export function quickExit() {
  const target = document.body.dataset.exitUrl || "about:blank";
  document.dispatchEvent(new CustomEvent("kuulolla:exit"));
  try { sessionStorage.clear(); } catch (_) { /* storage may be disabled */ }
  try { localStorage.clear(); } catch (_) { /* storage may be disabled */ }
  document.title = "";
  document.body.replaceChildren();
  if (window.self !== window.top) {
    leaveFrame(target);
    return;
  }
  window.location.replace(target);
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
