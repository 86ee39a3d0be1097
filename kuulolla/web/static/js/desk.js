// The duty desk (/orgs/<org>/desk): the list of crisis alerts, reports and held
// messages follows the server's stream (server-sent events, the list as the page draws
// it), and each new item is told to the person: a tone, the tab's title and, when they
// allowed it, a desktop notification; the screen reader's status line says it too.
// "I'm on it" and decisions on reports and held messages are sent without leaving
// the page. What the person serves (live counts) is drawn apart from the list, so a
// count changing never disturbs a form being filled in.

import { fmt } from "./chat-client.js";
import { Notifier, attachSettings } from "./staff-notify.js";

const $ = (id) => document.getElementById(id);
const root = $("desk");
const live = $("desk-live");
const serving = $("desk-serving");
const status = $("desk-status");
const S = JSON.parse($("desk-strings").textContent);
const notifier = new Notifier({ strings: S });
attachSettings(S, notifier);

let known = new Map();
let waiting = null;

function tell(text, urgent, tag) {
  status.textContent = text;
  notifier.notify({ title: text, urgent, tag });
}

function news(items) {
  for (const item of items) {
    const before = known.get(item.key);
    if (!before) {
      if (item.kind === "crisis" && !item.acked) tell(fmt(S.new_crisis, { nick: item.nick }), true, item.key);
      else if (item.kind === "report") tell(S.new_report, false, item.key);
      else if (item.kind === "held") tell(S.new_held, false, item.key);
    } else if (item.escalated && !before.escalated && !item.acked) {
      tell(S.new_escalated, true, `${item.key}-escalated`);
    }
  }
  known = new Map(items.map((item) => [item.key, item]));
}

// The list drawn again keeps what the person is doing in it: a report's open form
// (with what they chose and wrote) moves into the new list, and focus stays.
function draw(html) {
  const focused = document.activeElement;
  const focusedId = focused?.id;
  const open = new Map([...live.querySelectorAll("details.desk-decide[open]")].map((d) => [d.dataset.key, d]));
  live.replaceChildren(document.createRange().createContextualFragment(html));
  for (const [key, details] of open) {
    live.querySelector(`details.desk-decide[data-key="${key}"]`)?.replaceWith(details);
  }
  if (focused && focused.isConnected && focused !== document.body) {
    focused.focus();
  } else if (focusedId && document.getElementById(focusedId)) {
    document.getElementById(focusedId).focus();
  } else if (focusedId && document.activeElement === document.body) {
    // The button that had focus is gone (the item was taken or decided): stay in the list.
    $("desk-items-heading")?.setAttribute("tabindex", "-1");
    $("desk-items-heading")?.focus();
  }
}

let lastList = null;
let lastServing = null;
function apply(data) {
  news(data.items);
  if (waiting !== null && data.waiting > waiting) tell(S.new_visitor, false, "queue");
  waiting = data.waiting;
  notifier.count(data.unacknowledged);
  if (data.html !== lastList) { draw(data.html); lastList = data.html; }
  if (data.serving !== lastServing) {
    serving.replaceChildren(document.createRange().createContextualFragment(data.serving));
    lastServing = data.serving;
  }
}

// What the page was drawn with: untaken crisis alerts are told at once.
const first = JSON.parse($("desk-first").textContent);
for (const item of first) {
  if (item.kind === "crisis" && !item.acked) { tell(fmt(S.new_crisis, { nick: item.nick }), true, item.key); break; }
}
known = new Map(first.map((item) => [item.key, item]));
notifier.count(first.filter((i) => i.kind === "crisis" && !i.acked).length);

let lost = false;
const stream = new EventSource(root.dataset.stream);
stream.addEventListener("message", (event) => {
  try { apply(JSON.parse(event.data)); } catch (err) { console.error(err); }
  if (lost) { status.textContent = S.stream_ok; lost = false; }
});
// A stream ends every minute and the browser opens the next at once: only one that
// stays away is worth saying.
stream.addEventListener("error", () => {
  setTimeout(() => {
    if (stream.readyState !== EventSource.OPEN && !lost) { lost = true; status.textContent = S.stream_lost; }
  }, 5000);
});

// "I'm on it" and the decisions on reports and held messages, without leaving the
// page; the stream then shows the outcome to everyone. A refusal is said by the form.
live.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-ack], form[data-decide]");
  if (!form) return;
  event.preventDefault();
  // Sent as the page's own form would be (application/x-www-form-urlencoded).
  const body = new URLSearchParams(new FormData(form));
  if (event.submitter?.name) body.set(event.submitter.name, event.submitter.value);
  const error = form.querySelector("[data-error]");
  if (error) error.textContent = "";
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((b) => { b.disabled = true; });
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { accept: "application/json", "x-csrf-token": root.dataset.csrf },
      credentials: "same-origin",
    });
  } catch (_) {
    form.submit();  // the page's own way: the form posts and the desk comes back
    return;
  }
  buttons.forEach((b) => { b.disabled = false; });
  if (response.ok) {
    if (form.matches("[data-decide]")) {
      status.textContent = S.decided;
      form.closest("details")?.removeAttribute("open");
    }
    return;
  }
  let message = S.failed;
  try { message = (await response.json()).message || message; } catch (_) { /* not JSON */ }
  if (error) error.textContent = message;
  else status.textContent = message;
});
