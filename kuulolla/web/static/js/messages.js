// The message list of a one-to-one conversation, shared by the visitor's page
// (queue.js) and the helper's (console.js): rendering a message, sending with a
// pending copy, and the resume rules of docs/protocol.md. Each message is shown once
// and in order (by `seq`); a message sent here shows at once as pending and is
// replaced by the server's copy when both the ack and the message have come;
// unacknowledged messages are resent with the same `ref` after a reconnect.

export const fmt = (t, v) => t.replace(/\{(\w+)\}/g, (_, k) => String(v[k] ?? ""));

function newRef() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// `list` is the <ol>/<ul> the messages go in, `scroller` the element that scrolls,
// `strings` the page's translated strings (you, sending, not_sent, role_*), `lang` the
// page's language and `isMine(message)` whether a message from the server is the
// reader's own.
export function messageLog({ list, scroller, strings: S, lang, isMine }) {
  const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
  const shown = new Set();
  const pending = new Map(); // ref -> {text, el, seq}
  let lastSeq = null;

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

  function append(el) {
    list.append(el);
    scroller.scrollTop = scroller.scrollHeight;
  }

  return {
    get lastSeq() { return lastSeq; },

    // A message frame (or one of `joined`'s history) from the server.
    show(m) {
      if (shown.has(m.seq) || (lastSeq !== null && m.seq <= lastSeq)) return;
      shown.add(m.seq);
      lastSeq = m.seq;
      let mine = false;
      for (const [ref, p] of pending) {
        if (p.seq === m.seq) { p.el.remove(); pending.delete(ref); mine = true; }
      }
      append(render(m, mine || isMine(m)));
    },

    // Show `text` as pending and return the `ref` to send it with.
    add(text) {
      const ref = newRef();
      const el = render({ text }, true);
      el.classList.add("message--pending");
      append(el);
      pending.set(ref, { text, el, seq: null });
      return ref;
    },

    // The pending messages to send again after joining: [ref, text] pairs.
    unsent() {
      return [...pending].map(([ref, p]) => [ref, p.text]);
    },

    ack(f) {
      const p = pending.get(f.ref);
      if (!p) return;
      p.seq = f.seq;
      if (shown.has(f.seq)) { p.el.remove(); pending.delete(f.ref); }
    },

    // An error about a sent message: it stays in the list, marked as not sent.
    // Returns false when `ref` is none of the pending ones.
    failed(ref, message) {
      const p = ref ? pending.get(ref) : null;
      if (!p) return false;
      p.el.querySelector("time").textContent = fmt(S.not_sent, { reason: message });
      pending.delete(ref);
      return true;
    },

    // A message removed by a moderator: resume after it.
    redacted(seq) {
      lastSeq = Math.max(lastSeq ?? 0, seq);
    },

    // The server cannot resume from `lastSeq`: start over with a full history.
    resync() {
      lastSeq = null;
      list.replaceChildren();
      shown.clear();
    },

    clear() {
      list.replaceChildren();
    },
  };
}
