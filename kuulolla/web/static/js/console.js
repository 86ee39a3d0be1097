// The helper console: a heartbeat that keeps the helper's conversations theirs, and
// on a conversation page the chat itself (staff are recognised by their session
// cookie on the socket). Resuming follows docs/protocol.md: `since` on rejoin and
// unacknowledged messages resent with the same `ref`.

const root = document.getElementById("console");
const slug = root.dataset.slug;
const csrf = root.dataset.csrf;
const $ = (id) => document.getElementById(id);
const HEARTBEAT_MS = 10000;

async function heartbeat() {
  try {
    const response = await fetch(`/staff/queue/${slug}/heartbeat`, {
      method: "POST",
      headers: { "x-csrf-token": csrf, accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok && !root.dataset.room) {
      const data = await response.json();
      const status = $("console-status");
      const text = `${data.waiting}`;
      const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
      if (status.dataset.waiting !== undefined && status.dataset.waiting !== text && !typing) {
        // The queue changed: reload to show it (the helper's place on the page is kept).
        location.reload();
      }
      status.dataset.waiting = text;
    }
  } catch (_) { /* offline: the next beat tries again */ }
}
heartbeat();
setInterval(heartbeat, HEARTBEAT_MS);

// ------------------------------------------------------------------ conversation

const room = root.dataset.room;
if (room) {
  const S = JSON.parse($("queue-strings").textContent);
  const lang = document.documentElement.lang || "fi";
  const list = $("messages");
  const scroller = $("log");
  const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
  const shown = new Set();
  const pending = new Map();
  let lastSeq = null;
  let ws = null;
  let attempts = 0;
  let me = null;

  const fmt = (t, v) => t.replace(/\{(\w+)\}/g, (_, k) => String(v[k] ?? ""));
  const newRef = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));

  function render(m, mine) {
    const li = document.createElement("li");
    li.className = "message" + (mine ? " message--mine" : "");
    const meta = document.createElement("p");
    meta.className = "message__meta";
    const who = document.createElement("span");
    who.className = "message__nick";
    who.textContent = mine ? S.you : (m.from?.nick || "");
    meta.append(who);
    const role = m.from ? S[`role_${m.from.role}`] : "";
    if (role && !mine) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = role;
      meta.append(" ", badge);
    }
    const time = document.createElement("time");
    if (m.ts) { time.dateTime = m.ts; time.textContent = timeFormat.format(new Date(m.ts)); } else { time.textContent = S.sending; }
    meta.append(" ", time);
    const body = document.createElement("p");
    body.className = "message__text";
    body.textContent = m.text;
    li.append(meta, body);
    return li;
  }

  function append(el) { list.append(el); scroller.scrollTop = scroller.scrollHeight; }

  function showMessage(m) {
    if (shown.has(m.seq) || (lastSeq !== null && m.seq <= lastSeq)) return;
    shown.add(m.seq);
    lastSeq = m.seq;
    let mine = false;
    for (const [ref, p] of pending) {
      if (p.seq === m.seq) { p.el.remove(); pending.delete(ref); mine = true; }
    }
    append(render(m, mine || (me && m.from?.nick === me)));
  }

  function send(frame) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame)); }

  function connect() {
    $("conv-status").textContent = S.connecting;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    ws = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "hello", v: 1, lang }));
      const join = { type: "join", room };
      if (lastSeq !== null) join.since = lastSeq;
      socket.send(JSON.stringify(join));
    });
    socket.addEventListener("message", (event) => {
      const f = JSON.parse(event.data);
      if (f.type === "welcome") {
        me = f.me?.name || null;
      } else if (f.type === "joined") {
        attempts = 0;
        $("conv-status").textContent = S.connected;
        for (const m of f.history) showMessage(m);
        for (const [ref, p] of pending) send({ type: "send", room, text: p.text, ref });
      } else if (f.type === "message" && f.room === room) {
        showMessage(f);
      } else if (f.type === "ack") {
        const p = pending.get(f.ref);
        if (p) { p.seq = f.seq; if (shown.has(f.seq)) { p.el.remove(); pending.delete(f.ref); } }
      } else if (f.type === "error") {
        if (f.code === "resync") { lastSeq = null; list.replaceChildren(); shown.clear(); socket.close(); }
        else if (f.code === "room_closed" || f.code === "room_not_found") { $("conv-status").textContent = S.ended; ws = null; socket.close(); }
        else if (f.ref && pending.has(f.ref)) {
          const p = pending.get(f.ref);
          p.el.querySelector("time").textContent = fmt(S.not_sent, { reason: f.message });
          pending.delete(f.ref);
        } else { $("send-error").textContent = f.message; }
      }
    });
    socket.addEventListener("close", () => {
      if (ws !== socket) return;
      ws = null;
      $("conv-status").textContent = S.reconnecting;
      const delay = Math.min(10000, 500 * 2 ** attempts++) * (0.5 + Math.random());
      setTimeout(connect, delay);
    });
  }

  $("send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("text");
    const text = box.value.trim();
    if (!text) return;
    const ref = newRef();
    const el = render({ text }, true);
    el.classList.add("message--pending");
    append(el);
    pending.set(ref, { text, el, seq: null });
    send({ type: "send", room, text, ref });
    box.value = "";
  });

  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("send-form").requestSubmit();
    }
  });

  for (const button of document.querySelectorAll("[data-canned]")) {
    button.addEventListener("click", () => {
      const box = $("text");
      box.value = box.value ? `${box.value} ${button.dataset.canned}` : button.dataset.canned;
      box.focus();
    });
  }

  connect();
}
