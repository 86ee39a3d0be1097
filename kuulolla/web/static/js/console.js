// The helper console: a heartbeat that keeps the helper's conversations theirs; the
// queue and the helper's conversations follow the server's stream (server-sent
// events: the console's live part, or a conversation page's tabs, as the page draws
// them) without reloading; a new visitor in the queue, a message or a crisis alert in
// another of the helper's conversations is told with a tone, the tab title, a desktop
// notification (when allowed) and an unread count on that conversation's tab. On a
// conversation page, the chat itself, on the shared chat client (chat-client.js; staff
// are recognised by their session cookie on the socket): the helper moderates their
// conversation: crisis alerts, held messages to approve or reject.

import { ChatClient, Composer, MessageView, fmt, statusText, unmask } from "./chat-client.js";
import { alertItem, heldItem, settled } from "./moderate.js";
import { Notifier } from "./staff-notify.js";
import { attachReferrals } from "./referral.js";

const root = document.getElementById("console");
const slug = root.dataset.slug;
const csrf = root.dataset.csrf;
const $ = (id) => document.getElementById(id);
const HEARTBEAT_MS = 10000;
const S = JSON.parse($("queue-strings").textContent);
const lang = document.documentElement.lang || "fi";
const notifier = new Notifier({ strings: S });

async function heartbeat() {
  try {
    await fetch(`/staff/queue/${slug}/heartbeat`, {
      method: "POST",
      headers: { "x-csrf-token": csrf, accept: "application/json" },
      credentials: "same-origin",
    });
  } catch (_) { /* offline: the next beat tries again */ }
}
heartbeat();
setInterval(heartbeat, HEARTBEAT_MS);

const room = root.dataset.room;
const client = new ChatClient({ lang, strings: S });

// ------------------------------------------------------------------ the helper's other conversations

const unread = new Map();  // room slug -> messages not yet read there

function showUnread() {
  for (const link of document.querySelectorAll("a[data-room]")) {
    const n = unread.get(link.dataset.room) || 0;
    const badge = link.querySelector(".conv-tabs__unread");
    if (!badge) continue;
    badge.hidden = n === 0;
    badge.textContent = n ? ` ${fmt(n === 1 ? S.unread_one : S.unread_many, { n })}` : "";
  }
  notifier.count([...unread.values()].reduce((a, b) => a + b, 0));
}

// Every conversation of the helper is joined on the one socket, so what happens in the
// others is heard here too (the one shown has its view; the others none).
function watch(chats) {
  for (const chat of chats) {
    if (chat.room !== room && !client.rooms.has(chat.room)) client.room(chat.room, {});
  }
  for (const [key, r] of [...client.rooms]) {
    if (key !== room && !chats.some((c) => c.room === key)) r.leave();  // ended or moved on
  }
  if (!room && client.status === "idle" && chats.length) client.connect();
}

client.on("message", (f, r) => {
  if (!r || r.slug === room || f.from?.role !== "visitor") return;
  unread.set(r.slug, (unread.get(r.slug) || 0) + 1);
  showUnread();
  const id = document.querySelector(`a[data-room="${r.slug}"]`)?.getAttribute("href")?.split("c=")[1] || "";
  notifier.notify({ title: fmt(S.new_message, { id }), tag: `message-${r.slug}` });
});

client.on("alert", (f, r) => {
  if (!r) return;
  const id = r.slug === room ? root.dataset.entry : document.querySelector(`a[data-room="${r.slug}"]`)?.getAttribute("href")?.split("c=")[1] || "";
  const title = fmt(S.crisis_alert, { id });
  // The conversation in view sounds its alert itself (moderate.js).
  notifier.notify({ title, urgent: true, tag: `alert-${r.slug}`, sound: r.slug !== room });
  if (r.slug !== room) {
    unread.set(r.slug, (unread.get(r.slug) || 0) + 1);
    showUnread();
    $("console-status").textContent = title;
  }
});

// ------------------------------------------------------------------ the stream

let waiting = null;
let pending = null;

function draw(target, html) {
  const focused = document.activeElement;
  if (focused && target.contains(focused) && ["INPUT", "TEXTAREA", "SELECT"].includes(focused.tagName)) {
    // The helper is typing in it (a reason to take out of turn): drawn when they leave.
    pending = html;
    return;
  }
  pending = null;
  const id = focused?.id;
  target.replaceChildren(document.createRange().createContextualFragment(html));
  if (id && target.contains(document.getElementById(id))) document.getElementById(id).focus();
  showUnread();
}

function apply(data) {
  const target = room ? $("conversation-tabs") : $("console-live");
  const before = waiting;
  waiting = new Set(data.waiting);
  if (before && data.waiting.some((id) => !before.has(id))) {
    $("console-status").textContent = S.new_visitor;
    notifier.notify({ title: S.new_visitor, tag: "queue" });
  }
  for (const key of [...unread.keys()]) {
    if (!data.chats.some((c) => c.room === key)) unread.delete(key);
  }
  watch(data.chats);
  draw(target, data.html);
  if (room && data.ended) conversationEnded(data.ended);
}

// The conversation in view ended elsewhere: the visitor left (or their connection did
// not come back), or it was ended for the helper.
let onEnded = () => {};
function conversationEnded(reason) {
  $("visitor-presence").textContent = reason === "visitor" || reason === "visitor_gone" ? S.visitor_left : "";
  $("conv-status").textContent = S.ended;
  onEnded();
}

for (const id of ["console-live", "conversation-tabs"]) {
  $(id)?.addEventListener("focusout", () => {
    setTimeout(() => { if (pending !== null && !$(id).contains(document.activeElement)) draw($(id), pending); }, 0);
  });
}

const stream = new EventSource(root.dataset.stream);
stream.addEventListener("message", (event) => {
  try { apply(JSON.parse(event.data)); } catch (err) { console.error(err); }
});

// ------------------------------------------------------------------ conversation

if (room) {
  const view = new MessageView({ list: $("messages"), scroller: $("log"), strings: S, lang, you: S.you });
  const composer = new Composer({
    form: $("send-form"),
    strings: S,
    draftKey: `console.${room}`,
    onSend: (text) => session.send(text),
  });
  const session = client.room(room, { view, composer });
  const safety = $("safety");
  const decide = (id, approve) => session.frame({ type: "decide", id, approve });
  const mine = (r) => r === session;

  client.onStatus((status) => { $("conv-status").textContent = statusText(S, status); });
  const showVisitor = (r) => { $("visitor-presence").textContent = r.present > 1 ? S.visitor_here : S.visitor_away; };
  client.on("joined", (f, r) => { if (mine(r)) showVisitor(r); });
  client.on("presence", (f, r) => { if (mine(r)) showVisitor(r); });
  // The helper moderates their conversation: crisis alerts and held messages come here.
  client.on("alert", (f, r) => {
    if (!mine(r)) return;
    safety.hidden = false;
    alertItem($("alerts"), f, S);
  });
  client.on("pending", (f, r) => {
    if (!mine(r)) return;
    safety.hidden = false;
    heldItem($("held"), f, S, decide, (t) => unmask(t, S));
  });
  client.on("done", (f, r) => { if (mine(r)) settled(f, $("held")); });
  onEnded = () => {
    session.close();
    $("send-form").querySelector("button[type=submit]").disabled = true;
  };
  client.on("error", (f, r) => {
    if (!mine(r)) return;
    if (f.code === "room_closed" || f.code === "room_not_found") {
      $("conv-status").textContent = S.ended;
      session.close();
    } else if (f.code === "held_not_found") {
      $("held").replaceChildren();
    }
  });

  for (const button of document.querySelectorAll("[data-canned]")) {
    button.addEventListener("click", () => {
      const box = $("text");
      box.value = box.value ? `${box.value} ${button.dataset.canned}` : button.dataset.canned;
      composer.keep();
      box.focus();
    });
  }

  attachReferrals({ root: $("referral-picker"), session: () => session, strings: S });
  client.connect();
}
