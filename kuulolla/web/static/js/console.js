// The helper console: a heartbeat that keeps the helper's conversations theirs, and
// on a conversation page the chat itself (staff are recognised by their session
// cookie on the socket). Resuming follows docs/protocol.md: `since` on rejoin and
// unacknowledged messages resent with the same `ref` (messages.js).

import { messageLog } from "./messages.js";

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
  let ws = null;
  let attempts = 0;
  let me = null;
  const log = messageLog({
    list: $("messages"),
    scroller: $("log"),
    strings: S,
    lang,
    isMine: (m) => Boolean(me) && m.from?.nick === me,
  });

  function send(frame) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame)); }

  function connect() {
    $("conv-status").textContent = S.connecting;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    ws = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "hello", v: 1, lang }));
      const join = { type: "join", room };
      if (log.lastSeq !== null) join.since = log.lastSeq;
      socket.send(JSON.stringify(join));
    });
    socket.addEventListener("message", (event) => {
      const f = JSON.parse(event.data);
      if (f.type === "welcome") {
        me = f.me?.name || null;
      } else if (f.type === "joined") {
        attempts = 0;
        $("conv-status").textContent = S.connected;
        for (const m of f.history) log.show(m);
        for (const [ref, text] of log.unsent()) send({ type: "send", room, text, ref });
      } else if (f.type === "message" && f.room === room) {
        log.show(f);
      } else if (f.type === "ack") {
        log.ack(f);
      } else if (f.type === "redact") {
        log.redacted(f.seq);
      } else if (f.type === "error") {
        if (f.code === "resync") { log.resync(); socket.close(); }
        else if (f.code === "room_closed" || f.code === "room_not_found") { $("conv-status").textContent = S.ended; ws = null; socket.close(); }
        else if (!log.failed(f.ref, f.message)) { $("send-error").textContent = f.message; }
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
    const ref = log.add(text);
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
