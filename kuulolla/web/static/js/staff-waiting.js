// The notification centre's count in the staff header: what waits for the person
// (/staff/waiting) that they have not yet seen on that page, kept as seen on this
// device, read again while the page stays open. On the page itself, the new items are
// marked and then counted as seen.

const KEY = "kuulolla.staff.seen";
const REFRESH_MS = 120000;
const link = document.getElementById("waiting-link");
const count = document.getElementById("waiting-count");

function seen() {
  try { return new Set(JSON.parse(localStorage.getItem(KEY) || "[]")); } catch (_) { return new Set(); }
}

function keep(keys) {
  try { localStorage.setItem(KEY, JSON.stringify(keys.slice(-500))); } catch (_) { /* storage off */ }
}

const list = document.getElementById("waiting-list");
if (list) {
  const before = seen();
  const keys = [...list.querySelectorAll("[data-key]")].map((li) => {
    if (!before.has(li.dataset.key)) li.querySelector(".waiting__new")?.removeAttribute("hidden");
    return li.dataset.key;
  });
  keep(keys);
  if (count) count.hidden = true;
} else if (link && count) {
  const refresh = () => fetch("/staff/waiting", { headers: { accept: "application/json" }, credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : { keys: [] }))
    .then((data) => {
      const before = seen();
      const fresh = (data.keys || []).filter((k) => !before.has(k)).length;
      // The number shows; "new" is read out after it, so the link's name starts with
      // what it shows (no aria-label that a speech user could not say).
      count.textContent = fresh ? String(fresh) : "";
      if (fresh) {
        const words = document.createElement("span");
        words.className = "visually-hidden";
        words.textContent = ` ${link.dataset.new}`;
        count.append(words);
      }
      count.hidden = !fresh;
    })
    .catch(() => {});
  refresh();
  // A staff page stays open for a shift (the desk, the console): the count follows
  // what comes in, read again every few minutes and whenever the tab comes back.
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}
