// Quick exit: a button on every visitor page and Shift pressed three times.
// Replaces the page with a neutral site (location.replace keeps this page out of the
// tab's back history), clears what this tab stored and tells other scripts to close
// their sockets.

const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 1500;

export function quickExit() {
  const target = document.body.dataset.exitUrl || "about:blank";
  document.dispatchEvent(new CustomEvent("kuulolla:exit"));
  try { sessionStorage.clear(); } catch (_) { /* storage may be disabled */ }
  try { localStorage.clear(); } catch (_) { /* storage may be disabled */ }
  document.title = "";
  document.body.replaceChildren();
  window.location.replace(target);
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
