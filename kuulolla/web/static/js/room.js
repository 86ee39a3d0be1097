// The group room page: choose a nickname, then the room's live messages on the shared
// chat client (chat-client.js: resuming, pending messages, the heartbeat, rendering).
// This page adds the nickname form, presence (people here, and whether a host is), the
// visitor's report control and private message to the moderators; for staff it loads
// the moderator tools (moderate.js).

import { ChatClient, Composer, MessageView, fmt, load, save, statusText, unmask } from "./chat-client.js";

const root = document.getElementById("room");
const slug = root.dataset.room;
const S = JSON.parse(document.getElementById("room-strings").textContent);
const lang = document.documentElement.lang || "fi";
const $ = (id) => document.getElementById(id);

const nickForm = $("nick-form");
const nickInput = $("nick");
const nickError = $("nick-error");
const chat = $("chat");
const isStaff = Boolean($("modpanel"));

let nick = load(`kuulolla.nick.${slug}`);

const client = new ChatClient({ lang, strings: S, token: load("kuulolla.token") });
client.onStatus((status) => { $("connection").textContent = statusText(S, status); });

// A visitor reports a message with a reason (docs/protocol.md, "report").
function reportControl(seq) {
  const details = document.createElement("details");
  details.className = "message__actions";
  const summary = document.createElement("summary");
  summary.textContent = S.report;
  const label = document.createElement("label");
  const id = `report-${seq}`;
  label.htmlFor = id;
  label.textContent = S.report_reason;
  const select = document.createElement("select");
  select.id = id;
  for (const reason of ["abuse", "personal_data", "spam", "worry", "other"]) {
    const option = document.createElement("option");
    option.value = reason;
    option.textContent = S[`reason_${reason}`];
    select.append(option);
  }
  const submit = document.createElement("button");
  submit.type = "button";
  submit.textContent = S.report_send;
  submit.addEventListener("click", () => {
    room?.frame({ type: "report", seq, reason: select.value });
    details.open = false;
  });
  details.append(summary, label, select, submit);
  return details;
}

const view = new MessageView({
  list: $("messages"),
  scroller: $("log"),
  strings: S,
  lang,
  crisis: $("crisis"),
  pinned: $("pinned"),
  roomNote: $("room-note"),
  decorate(el, m, mine) {
    if (!mine && !isStaff && m.from && m.from.role === "visitor") el.append(reportControl(m.seq));
  },
});

const composer = new Composer({
  form: $("send-form"),
  strings: S,
  draftKey: slug,
  onSend: (text) => (room ? room.send(text) : false),
});

let room = null;

function showPresence(r) {
  $("presence").textContent = fmt(r.present === 1 ? S.present_one : S.present_many, { n: r.present });
  const host = $("host");
  host.textContent = r.host ? S.host_here : S.host_away;
  host.classList.toggle("host--here", r.host);
}

client.on("joined", (f, r) => {
  if (r !== room) return;
  if (f.fresh) view.note(fmt(S.joined, { nick: r.nick || client.me?.name || "" }));
  showPresence(r);
  // The join button is hidden now: a keyboard user continues in the message box rather
  // than from the top of the page.
  const first = chat.hidden;
  const focusLost = !nickForm.hidden && (nickForm.contains(document.activeElement) || document.activeElement === document.body);
  nickForm.hidden = true;
  chat.hidden = false;
  // On a phone the latest messages and the box fill the screen, the room's details
  // above them (the quick exit stays in its corner).
  if (first) $("send-form").scrollIntoView({ block: "end" });
  if (focusLost) $("text").focus({ preventScroll: true });
});

client.on("presence", (f, r) => { if (r === room) showPresence(r); });

client.on("error", (f, r) => {
  if (r !== room) return;
  if (f.refusal === "join") {
    // Refused at the door (the nickname, a closed room): the reason next to the nickname.
    nick = null;
    save(`kuulolla.nick.${slug}`, null);
    nickForm.hidden = false;
    chat.hidden = true;
    nickError.textContent = f.message;
    nickInput.setAttribute("aria-invalid", "true");
    nickInput.focus();
  } else if (f.refusal === "closed") {
    nickForm.hidden = true;
    chat.hidden = false;
    $("connection").textContent = f.message;
  }
});

client.on("restricted", (f, r) => {
  if (r === room && (f.kind === "remove" || f.kind === "ban")) $("to-mods-form")?.closest("details")?.remove();
});

function enter() {
  room = client.room(slug, { nick, view, composer });
  client.connect();
}

nickForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = nickInput.value.trim();
  if (value.length < 2) {
    nickError.textContent = S.nick_short;
    nickInput.setAttribute("aria-invalid", "true");
    nickInput.focus();
    return;
  }
  nickError.textContent = "";
  nickInput.removeAttribute("aria-invalid");
  if ($("remember").checked) {
    try { localStorage.setItem("kuulolla.remember", "1"); } catch (_) { /* storage off */ }
    if (client.token) save("kuulolla.token", client.token);
  }
  nick = value;
  save(`kuulolla.nick.${slug}`, nick);
  enter();
});

// The visitor's private thread with the moderators: what they wrote and the moderators'
// replies, in the box they write in (the reply also shows in the log, as a note).
function threadLine(who, text, mine) {
  const list = $("to-mods-thread");
  if (!list) return;
  const li = document.createElement("li");
  li.className = mine ? "thread__line thread__line--mine" : "thread__line";
  const name = document.createElement("span");
  name.className = "thread__who";
  name.textContent = `${who}: `;
  li.append(name, unmask(text, S));
  list.append(li);
  if (list.children.length > 50) list.firstElementChild.remove();
}
client.on("private", (f, r) => {
  if (r !== room || f.to_moderators || f.to) return;  // `to`: a moderator's copy for the thread
  threadLine(f.from.nick, f.text, false);
  const box = $("to-mods");
  if (box) box.open = true;
});

const toModsForm = $("to-mods-form");
// The text sent to the moderators, until the server takes it: refused (too many at
// once), it goes back into the box instead of being lost.
let toModsPending = "";
toModsForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const box = toModsForm.elements.text;
  const text = box.value.trim();
  if (!text || !room?.joined) return;
  toModsPending = text;
  room.frame({ type: "to_moderators", text });
  box.value = "";
});
client.on("done", (f, r) => {
  if (r !== room || f.action !== "to_moderators") return;
  if (toModsPending) threadLine(S.you_label, toModsPending, true);
  toModsPending = "";
});
client.on("error", (f, r) => {
  if (r !== room || f.code !== "too_many_to_moderators" || !toModsPending) return;
  toModsForm.elements.text.value = toModsPending;
  toModsPending = "";
});

// The moderator tools are loaded before the socket opens, so they see every frame.
if (isStaff) (await import("./moderate.js")).attach({ client, view, slug, strings: S });
// Staff suggest services of the directory (referral cards).
if (isStaff) (await import("./referral.js")).attachReferrals({ root: $("referral-picker"), session: () => room, strings: S });

// A returning visitor (same tab: a reload) goes straight back into the room.
if (nick) {
  nickInput.value = nick;
  enter();
} else {
  nickInput.focus();
}
