// The duty desk (/orgs/<org>/desk): the list of crisis alerts, reports and held
// messages follows the server's stream (server-sent events, the list as the page draws
// it), and each new item is told to the person: a tone, the tab's title and, when they
// allowed it, a desktop notification; the screen reader's status line says it too.
// "I'm on it" is sent without leaving the page.

import { fmt } from "./chat-client.js";
import { Notifier, attachSettings } from "./staff-notify.js";

const $ = (id) => document.getElementById(id);
const root = $("desk");
const live = $("desk-live");
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

function draw(html) {
  const focused = document.activeElement?.id;
  live.replaceChildren(document.createRange().createContextualFragment(html));
  if (focused && !document.getElementById(focused) && document.activeElement === document.body) {
    // The button that had focus is gone (the alert was taken): stay in the list.
    $("desk-items-heading")?.setAttribute("tabindex", "-1");
    $("desk-items-heading")?.focus();
  } else if (focused) {
    document.getElementById(focused)?.focus();
  }
}

function apply(data) {
  news(data.items);
  if (waiting !== null && data.waiting > waiting) tell(S.new_visitor, false, "queue");
  waiting = data.waiting;
  notifier.count(data.unacknowledged);
  draw(data.html);
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

// "I'm on it" without leaving the page; the stream then shows it to everyone.
live.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-ack]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { accept: "application/json", "x-csrf-token": root.dataset.csrf },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
  } catch (_) {
    form.submit();  // the page's own way: the form posts and the desk comes back
  }
});
