// The room page: nickname, live messages, sending, and resuming after a drop.
//
// Protocol: docs/protocol.md. The client remembers the last sequence it has shown and
// resumes with `since`; messages not yet acknowledged are resent with the same `ref`
// (the server stores a ref once), so a drop neither loses nor doubles anything.

const root = document.getElementById("room");
const slug = root.dataset.room;
const maxChars = Number(root.dataset.maxChars || "2000");
const S = JSON.parse(document.getElementById("room-strings").textContent);
const lang = document.documentElement.lang || "fi";

const nickForm = document.getElementById("nick-form");
const nickInput = document.getElementById("nick");
const nickError = document.getElementById("nick-error");
const rememberBox = document.getElementById("remember");
const chat = document.getElementById("chat");
const list = document.getElementById("messages");
const scroller = document.getElementById("log");
const sendForm = document.getElementById("send-form");
const textBox = document.getElementById("text");
const sendError = document.getElementById("send-error");
const presenceEl = document.getElementById("presence");
const pinnedEl = document.getElementById("pinned");
const roomNoteEl = document.getElementById("room-note");
const crisisEl = document.getElementById("crisis");
const connectionEl = document.getElementById("connection");

// English as written in Finland: a 24-hour clock (en-GB), like core/i18n.py's FORMAT_LOCALES.
const timeFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, {
  hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki",
});

const dateTimeFormat = new Intl.DateTimeFormat(lang, {
  dateStyle: "short", timeStyle: "short", timeZone: "Europe/Helsinki",
});

const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

// Personal data is replaced on the server by neutral tokens; show them in our language.
const MASKS = { "⟦phone⟧": S.mask_phone, "⟦email⟧": S.mask_email, "⟦hetu⟧": S.mask_hetu,
  "⟦iban⟧": S.mask_iban, "⟦address⟧": S.mask_address, "⟦word⟧": S.mask_word };
const unmask = (text) => (text.includes("⟦") ? text.replace(/⟦\w+⟧/g, (t) => MASKS[t] || t) : text);

// Other scripts (the moderator tools) hear every frame and may send frames.
const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));
document.addEventListener("kuulolla:send", (event) => send(event.detail));

// ------------------------------------------------------------------ storage

function store() {
  try {
    return localStorage.getItem("kuulolla.remember") === "1" ? localStorage : sessionStorage;
  } catch (_) {
    return null;
  }
}
function load(key) { try { return store()?.getItem(key) ?? null; } catch (_) { return null; } }
function save(key, value) { try { store()?.setItem(key, value); } catch (_) { /* ignore */ } }

// ------------------------------------------------------------------ state

let ws = null;
let token = load("kuulolla.token");
let nick = load(`kuulolla.nick.${slug}`);
let lastSeq = null;          // last sequence shown; null until the first `joined`
let joined = false;
let attempts = 0;
let reconnectTimer = null;
let exiting = false;
const isStaff = Boolean(document.getElementById("modpanel"));
const shown = new Map();     // seq -> element
const pending = new Map();   // ref -> {text, el, seq}

function setStatus(text) { connectionEl.textContent = text; }

function newRef() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ------------------------------------------------------------------ rendering

function atBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
}

function roleLabel(role) {
  return S[`role_${role}`] || "";
}

function renderMessage(m, { mine = false, isPending = false } = {}) {
  const li = document.createElement("li");
  li.className = "message";
  if (mine) li.classList.add("message--mine");
  if (isPending) li.classList.add("message--pending");
  const meta = document.createElement("p");
  meta.className = "message__meta";
  const who = document.createElement("span");
  who.className = "message__nick";
  who.textContent = m.from ? m.from.nick : nick;
  meta.append(who);
  const role = m.from ? roleLabel(m.from.role) : "";
  if (role) {
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = role;
    meta.append(" ", badge);
  }
  const time = document.createElement("time");
  if (m.ts) {
    time.dateTime = m.ts;
    time.textContent = timeFormat.format(new Date(m.ts));
  } else {
    time.textContent = S.sending;
  }
  meta.append(" ", time);
  const body = document.createElement("p");
  body.className = "message__text";
  body.textContent = unmask(m.text);
  li.append(meta, body);
  if (m.seq !== undefined) li.dataset.seq = String(m.seq);
  if (m.from && m.from.id) li.dataset.author = m.from.id;
  return li;
}

function append(el) {
  const stick = atBottom();
  list.append(el);
  if (stick) scroller.scrollTop = scroller.scrollHeight;
}

function showRedaction(r) {
  const el = shown.get(r.seq);
  if (el) {
    el.classList.add("message--removed");
    el.querySelector(".message__text").textContent = S.removed;
    el.querySelectorAll(".message__actions").forEach((n) => n.remove());
  }
  if (lastSeq === null || r.at > lastSeq) lastSeq = r.at;
}

function showMessage(m) {
  if (m.type === "redact") { showRedaction(m); return; }
  if (shown.has(m.seq)) return;
  if (lastSeq !== null && m.seq <= lastSeq) return;
  const mine = [...pending.values()].some((p) => p.seq === m.seq);
  const el = renderMessage(m, { mine });
  shown.set(m.seq, el);
  lastSeq = m.seq;
  for (const [ref, p] of pending) {
    if (p.seq === m.seq) {
      el.classList.add("message--mine");
      p.el.remove();
      pending.delete(ref);
    }
  }
  if (!el.classList.contains("message--mine") && m.from && m.from.role === "visitor" && !isStaff) {
    el.append(reportControl(m.seq));
  }
  append(el);
  emit("kuulolla:message", { el, message: m, mine: el.classList.contains("message--mine") });
}

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
    send({ type: "report", room: slug, seq, reason: select.value });
    details.open = false;
  });
  details.append(summary, label, select, submit);
  return details;
}

function systemNote(text) {
  const li = document.createElement("li");
  li.className = "message message--system";
  li.textContent = text;
  append(li);
}

function setPresence(count) {
  presenceEl.textContent = fmt(count === 1 ? S.present_one : S.present_many, { n: count });
}

// ------------------------------------------------------------------ socket

function send(frame) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

function connect() {
  clearTimeout(reconnectTimer);
  if (exiting) return;
  setStatus(attempts ? S.reconnecting : S.connecting);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${scheme}://${location.host}/ws`);
  ws.addEventListener("open", () => {
    send({ type: "hello", v: 1, token: token || undefined, lang });
  });
  ws.addEventListener("message", (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch (_) { return; }
    handle(frame);
  });
  ws.addEventListener("close", (event) => {
    joined = false;
    if (exiting) return;
    if (event.code === 4001) {
      // The staff session ended (signed out, deactivated, …): reconnecting would
      // not make this person staff again. 4002 (roles changed) reconnects below.
      setStatus(S.session_ended);
      systemNote(S.session_ended);
      return;
    }
    if (event.code === 1008 && lastSeq === null) {
      setStatus(S.reconnecting);
    }
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  attempts += 1;
  // Exponential backoff with full jitter, so a restarted server is not hit by every
  // client at the same instant.
  const ceiling = Math.min(30000, 500 * 2 ** Math.min(attempts, 6));
  const delay = Math.random() * ceiling;
  setStatus(navigator.onLine === false ? S.offline : S.reconnecting);
  reconnectTimer = setTimeout(connect, delay);
}

function join() {
  const frame = { type: "join", room: slug, nick };
  if (lastSeq !== null) frame.since = lastSeq;
  send(frame);
}

function handle(frame) {
  switch (frame.type) {
    case "welcome":
      token = frame.token;
      save("kuulolla.token", token);
      join();
      break;
    case "joined": {
      const resumed = lastSeq !== null;
      if (!resumed) {
        list.replaceChildren();
        shown.clear();
        for (const m of frame.history) showMessage(m);
        lastSeq = frame.seq;
        systemNote(fmt(S.joined, { nick }));
      } else {
        for (const m of frame.history) showMessage(m);
        lastSeq = Math.max(lastSeq, frame.seq);
      }
      joined = true;
      attempts = 0;
      setStatus(S.connected);
      setPresence(frame.present || 1);
      // The join button is hidden now: a keyboard user continues in the message box
      // rather than from the top of the page.
      const focusLost = !resumed && (nickForm.contains(document.activeElement) || document.activeElement === document.body);
      nickForm.hidden = true;
      chat.hidden = false;
      if (focusLost) textBox.focus();
      resendPending();
      break;
    }
    case "message":
      if (frame.room === slug) showMessage(frame);
      break;
    case "ack": {
      const p = pending.get(frame.ref);
      if (!p) break;
      if (shown.has(frame.seq)) {
        shown.get(frame.seq).classList.add("message--mine");
        p.el.remove();
        pending.delete(frame.ref);
      } else {
        p.seq = frame.seq;
      }
      break;
    }
    case "presence":
      if (frame.room === slug) setPresence(frame.count);
      break;
    case "room_state":
      // The roster closes the room soon, or has closed it (shifts/rooms.py).
      if (frame.room !== slug) break;
      if (frame.state === "closing") {
        systemNote(fmt(S.closing_soon, { time: timeFormat.format(new Date(frame.closes_at)) }));
      } else if (frame.next_opening) {
        systemNote(fmt(S.closed_next, { time: dateTimeFormat.format(new Date(frame.next_opening)) }));
      } else {
        systemNote(S.closed_now);
      }
      break;
    case "redact":
      if (frame.room === slug) showRedaction(frame);
      break;
    case "notice":
      systemNote(frame.notes.join(" "));
      break;
    case "held": {
      const p = pending.get(frame.ref);
      if (p) {
        pending.delete(frame.ref);
        p.el.classList.add("message--held");
        p.el.querySelector("time").textContent = S.held;
      }
      systemNote(frame.notes.join(" ") || S.held);
      break;
    }
    case "crisis":
      showCrisis(frame.numbers);
      break;
    case "private":
      if (!frame.to_moderators) {
        const li = document.createElement("li");
        li.className = "message message--private";
        li.textContent = `${fmt(S.private_from, { nick: frame.from.nick })} ${frame.text}`;
        append(li);
      } else {
        emit("kuulolla:frame", frame);
      }
      break;
    case "restricted":
      systemNote(frame.message);
      if (frame.kind === "remove" || frame.kind === "ban") {
        joined = false;
        sendForm.hidden = true;
      }
      break;
    case "done":
      if (frame.action === "report") systemNote(S.reported);
      else if (frame.action === "to_moderators") systemNote(S.sent_to_moderators);
      emit("kuulolla:frame", frame);
      break;
    case "moderation_state":
      if (frame.room === slug) showRoomState(frame);
      emit("kuulolla:frame", frame);
      break;
    case "error":
      handleError(frame);
      break;
    default:
      emit("kuulolla:frame", frame);
      break;
  }
}

function showRoomState(state) {
  pinnedEl.hidden = !state.pinned;
  pinnedEl.querySelector("p").textContent = state.pinned || "";
  const notes = [];
  if (state.locked) notes.push(S.locked);
  if (state.slow_mode) notes.push(fmt(S.slow_mode, { seconds: state.slow_mode }));
  if (state.premoderated) notes.push(S.premoderated);
  roomNoteEl.textContent = notes.join(" ");
  roomNoteEl.hidden = notes.length === 0;
}

function showCrisis(numbers) {
  // Never blocks anything: the writer's message went through; help is shown next to it.
  if (crisisEl) {
    if (numbers && numbers.length && !crisisEl.querySelector("li")) {
      const ul = crisisEl.querySelector("ul");
      for (const n of numbers) {
        const li = document.createElement("li");
        const strong = document.createElement("strong");
        strong.textContent = n.name || "";
        const a = document.createElement("a");
        a.href = `tel:${n.number.replace(/\s/g, "")}`;
        a.textContent = n.number;
        li.append(strong, " ", a);
        ul.append(li);
      }
    }
    crisisEl.hidden = false;
    crisisEl.classList.add("crisis--highlight");
  }
  systemNote(S.crisis_note);
}

let retryTimer = null;

function retryLater(action) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(action, 1000 + Math.random() * 4000);
}

function resendPending() {
  for (const [ref, p] of pending) {
    if (p.seq === undefined) send({ type: "send", room: slug, text: p.text, ref });
  }
}

function handleError(frame) {
  if (frame.code === "resync") {
    lastSeq = null;
    systemNote(S.history_reset);
    join();
    return;
  }
  if (frame.code === "unavailable") {
    // Nothing was stored; try again shortly with the same refs (stored at most once).
    setStatus(frame.message);
    retryLater(joined ? resendPending : join);
    return;
  }
  if (frame.code === "room_closed") {
    exiting = true;  // do not reconnect to a closed room
    setStatus(frame.message);
    nickForm.hidden = true;
    sendForm.hidden = true;
    chat.hidden = false;
    systemNote(frame.message);
    if (ws) ws.close(1000);
    return;
  }
  const joinRefusals = ["invalid_nick", "nick_required", "staff_other_organisation", "second_factor_required", "room_not_open"];
  if (frame.code && frame.code.startsWith("restricted_") && !joined) {
    exiting = true;  // removed or banned: reconnecting would be refused again
    nickForm.hidden = true;
    chat.hidden = false;
    sendForm.hidden = true;
    systemNote(frame.message);
    if (ws) ws.close(1000);
    return;
  }
  if (!joined && joinRefusals.includes(frame.code)) {
    nick = null;
    nickForm.hidden = false;
    chat.hidden = true;
    nickError.textContent = frame.message;
    nickInput.setAttribute("aria-invalid", "true");
    nickInput.focus();
    return;
  }
  if (frame.ref && pending.has(frame.ref)) {
    const p = pending.get(frame.ref);
    pending.delete(frame.ref);
    p.el.classList.add("message--failed");
    p.el.querySelector("time").textContent = fmt(S.not_sent, { reason: frame.message });
    if (!textBox.value) textBox.value = p.text;
  }
  sendError.textContent = frame.message;
}

// ------------------------------------------------------------------ forms

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
  if (rememberBox.checked) {
    try { localStorage.setItem("kuulolla.remember", "1"); } catch (_) { /* ignore */ }
  }
  nick = value;
  save(`kuulolla.nick.${slug}`, nick);
  if (token) save("kuulolla.token", token);
  if (ws && ws.readyState === WebSocket.OPEN && token) {
    join();
  } else if (!ws || ws.readyState > WebSocket.OPEN) {
    connect();
  }
});

function submitMessage() {
  const text = textBox.value.trim();
  sendError.textContent = "";
  if (!text) return;
  if (text.length > maxChars) {
    sendError.textContent = fmt(S.too_long, { max: maxChars });
    return;
  }
  const ref = newRef();
  const el = renderMessage({ text }, { mine: true, isPending: true });
  pending.set(ref, { text, el, seq: undefined });
  append(el);
  textBox.value = "";
  if (joined) send({ type: "send", room: slug, text, ref });
}

sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitMessage();
});

textBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submitMessage();
  }
});

const toModsForm = document.getElementById("to-mods-form");
if (toModsForm) {
  toModsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const box = toModsForm.elements.text;
    const text = box.value.trim();
    if (!text || !joined) return;
    send({ type: "to_moderators", room: slug, text });
    box.value = "";
  });
}

window.addEventListener("online", () => {
  if (!ws || ws.readyState === WebSocket.CLOSED) { attempts = 0; connect(); }
});

document.addEventListener("kuulolla:exit", () => {
  exiting = true;
  clearTimeout(reconnectTimer);
  if (ws) ws.close(1000);
});

// A returning visitor (same tab) goes straight back into the room.
if (nick) {
  nickInput.value = nick;
  connect();
} else {
  nickInput.focus();
}
