// The chat client: the browser's side of the chat protocol (docs/protocol.md), one
// module for every page that chats: the group room (room.js), the visitor's one-to-one
// conversation (queue.js) and the helper's console (console.js). Pages build on it;
// none speaks the protocol itself. docs/architecture.md, "The browser client".
//
// ChatClient    one socket. `hello` (with the tab's token), every room joined again
//               with `since` after a drop, a heartbeat (`ping` after 4 s of silence; a
//               ping unanswered for 6 s means the connection is lost, even when the
//               socket still looks open), one reconnect policy (full jitter up to
//               0.5 s × 2ⁿ, at most 30 s), guarded parsing, and a handler registry keyed
//               by frame type. FRAME_HANDLERS holds the built-in handler of every server
//               frame type (a test fails when chat/protocol.py gains a type without one);
//               `client.on(type, fn)` adds a page's handler after it.
// RoomSession   one room on the socket: the last sequence shown, the newcomer wait,
//               presence (people and whether a host is here), and the messages not yet
//               acknowledged (PendingStore), sent again with the same `ref` after a drop
//               (the server stores a ref once, so nothing is lost or doubled).
// PendingStore  the unacknowledged messages of a room, kept in the tab's session storage,
//               so a reload or a lost connection loses nothing (the quick exit clears it).
// MessageView   shared rendering of a room into a list: messages (masked spans such as
//               ⟦phone⟧ shown in the reader's words, times in the reader's language),
//               referral cards, pending, held and refused messages, removals, notes,
//               crisis help.
// Composer      the message box: Enter sends, the draft survives a reload, the send button
//               counts down the newcomer wait (what is sent meanwhile goes when it ends), a
//               refused message comes back into the box with the reason.
//
//   const client = new ChatClient({ lang, token });
//   const room = client.room("nuorten-ilta", { nick, view, composer });
//   client.onStatus((status) => …);     // connecting, connected, lost, offline, ended
//   client.on("presence", (frame, room) => …);
//   client.on("error", (frame, room) => { if (frame.refusal === "join") … });
//   client.connect();
//
// Built-in handlers mark an error frame with `refusal`: "join" (the join was refused:
// a nickname, a closed room), "send" (a message was refused and returned to the box),
// "later" (refused for now, with `wait`: it goes again by itself), "closed" (the room
// ended or the visitor was removed: nothing more is sent) or "other".

export const fmt = (template, values = {}) =>
  String(template ?? "").replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

export function newRef() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ------------------------------------------------------------------ storage

// The token lives in session storage (this tab) unless the visitor chose to be
// remembered on this device (local storage). Storage may be switched off: then nothing
// is kept and the chat still works.
export function storage() {
  try {
    return localStorage.getItem("kuulolla.remember") === "1" ? localStorage : sessionStorage;
  } catch (_) {
    return null;
  }
}

function tab() {
  try { return sessionStorage; } catch (_) { return null; }
}

export function load(key, where = storage()) {
  try { return where?.getItem(key) ?? null; } catch (_) { return null; }
}

export function save(key, value, where = storage()) {
  try {
    if (value === null || value === undefined || value === "") where?.removeItem(key);
    else where?.setItem(key, value);
  } catch (_) { /* storage full or off: the chat works without it */ }
}

// ------------------------------------------------------------------ words

// Times as written in Finland, as core/i18n.py writes them: Swedish as in Finland
// ("17.45", sv-FI, not Sweden's "17:45"), English on a 24-hour clock (en-GB).
const formatLocale = (lang) => ({ fi: "fi-FI", sv: "sv-FI", en: "en-GB" })[lang] ?? lang;

export function timeFormat(lang) {
  return new Intl.DateTimeFormat(formatLocale(lang), { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
}

export function dateTimeFormat(lang) {
  return new Intl.DateTimeFormat(formatLocale(lang), { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Helsinki" });
}

// Personal data and masked words are replaced on the server by neutral tokens
// (moderation/personal_data.py); the reader sees them in their own language.
const MASKS = ["phone", "email", "hetu", "iban", "address", "word"];

export function unmask(text, S) {
  const value = String(text ?? "");
  if (!value.includes("⟦")) return value;
  return value.replace(/⟦(\w+)⟧/g, (token, kind) => (MASKS.includes(kind) && S[`mask_${kind}`]) || token);
}

// What the connection status says to the person, in the page's strings.
export function statusText(S, status) {
  return {
    idle: "",
    connecting: S.connecting,
    connected: S.connected,
    reconnecting: S.reconnecting,
    lost: S.reconnecting,
    offline: S.offline || S.reconnecting,
    ended: S.session_ended || "",
  }[status] ?? "";
}

// ------------------------------------------------------------------ timings

const TICK_MS = 1000;
const PING_IDLE_MS = 4000;     // silence before the client asks with a `ping`
const PING_TIMEOUT_MS = 6000;  // an unanswered ping: the connection is lost
const CONNECT_TIMEOUT_MS = 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30000;
const RETRY_MS = 1500;         // `unavailable` or `rate_limited`: try again after about this

// Error codes that refuse a join (shown next to the nickname or on the page), and those
// after which the room is over for this tab.
const JOIN_REFUSALS = new Set([
  "invalid_nick", "nick_required", "nick_taken", "nick_role", "staff_other_organisation",
  "second_factor_required", "room_not_open", "room_not_found", "too_many_rooms",
]);
const CLOSING = new Set(["room_closed", "restricted_remove", "restricted_ban"]);

// ------------------------------------------------------------------ pending messages

export class PendingStore {
  // Messages written but not acknowledged, oldest first: ref -> {text, sentOn}.
  // `sentOn` is the connection a message was last sent on, so a message is sent once per
  // connection; only refs and texts are kept in the tab's storage.
  constructor(key) {
    this.key = key ? `kuulolla.pending.${key}` : null;
    this.items = new Map();
    if (this.key) {
      try {
        const kept = JSON.parse(load(this.key, tab()) || "[]");
        if (Array.isArray(kept)) {
          for (const row of kept) {
            if (Array.isArray(row) && typeof row[0] === "string" && typeof row[1] === "string") {
              this.items.set(row[0], { text: row[1], sentOn: 0 });
            }
          }
        }
      } catch (_) { /* a damaged copy is dropped */ }
    }
  }

  persist() {
    if (!this.key) return;
    save(this.key, this.items.size ? JSON.stringify([...this.items].map(([ref, p]) => [ref, p.text])) : null, tab());
  }

  add(ref, text) { this.items.set(ref, { text, sentOn: 0 }); this.persist(); }
  has(ref) { return this.items.has(ref); }
  text(ref) { return this.items.get(ref)?.text; }
  remove(ref) {
    const found = this.items.get(ref);
    if (found) { this.items.delete(ref); this.persist(); }
    return found?.text;
  }
  // Not yet sent on connection `conn`: [ref, text] pairs, now marked as sent on it.
  take(conn) {
    const out = [];
    for (const [ref, p] of this.items) {
      if (p.sentOn !== conn) { p.sentOn = conn; out.push([ref, p.text]); }
    }
    return out;
  }
  unsend(ref) { const p = this.items.get(ref); if (p) p.sentOn = 0; }
  entries() { return [...this.items].map(([ref, p]) => [ref, p.text]); }
}

// ------------------------------------------------------------------ rendering

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export class MessageView {
  // list: the <ol> messages go in; scroller: the element that scrolls; strings: the
  // page's translated strings; crisis: the crisis help box (optional; its <ul> is filled
  // from the `crisis` frame when the page has none); pinned, roomNote: the pinned
  // message and room notes (group rooms); you: the label of the reader's own messages
  // (null: their nickname); decorate(el, message, mine): called for every message shown.
  constructor({ list, scroller = list, strings, lang, crisis = null, pinned = null, roomNote = null, you = null, decorate = null, heldLabel = null }) {
    Object.assign(this, { list, scroller, S: strings, crisisEl: crisis, pinnedEl: pinned, roomNoteEl: roomNote, you });
    this.heldLabel = heldLabel || strings.held;
    this.decorators = decorate ? [decorate] : [];
    this.time = timeFormat(lang);
    this.dateTime = dateTimeFormat(lang);
    this.shown = new Map();    // seq -> element
    this.bubbles = new Map();  // ref -> {el, seq}: sent here, not yet the server's copy
    this.held = new Map();     // held id -> {el, seq}
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 40;
  }

  // The log follows new messages while the reader is at its end. A reader who scrolled
  // up to read stays where they are, and a button under the log counts what came
  // meanwhile ("3 new messages"); it, or scrolling down, goes back to following.
  append(el) {
    const stick = this.atBottom();
    this.list.append(el);
    if (stick) this.toBottom();
    else if (el.dataset.seq !== undefined && !el.classList.contains("message--mine")) this.unseen(1);
  }

  toBottom() {
    const s = this.scroller;
    s.scrollTop = s.scrollHeight;
    this.unseenCount = 0;
    if (this.newButton) this.newButton.hidden = true;
  }

  // After a page shows the log (a join, a tab chosen): its end, once it has a size.
  settle() {
    this.toBottom();
    requestAnimationFrame(() => this.toBottom());
  }

  unseen(n) {
    this.unseenCount = (this.unseenCount || 0) + n;
    if (!this.newButton) {
      const b = element("button", "new-messages button--secondary");
      b.type = "button";
      b.addEventListener("click", () => { this.toBottom(); this.scroller.focus({ preventScroll: true }); });
      this.scroller.addEventListener("scroll", () => { if (this.atBottom()) this.toBottom(); }, { passive: true });
      this.scroller.after(b);
      this.newButton = b;
    }
    const S = this.S;
    this.newButton.textContent = fmt(this.unseenCount === 1 ? S.new_one : S.new_many, { n: this.unseenCount });
    this.newButton.hidden = false;
  }

  render(m, { mine = false, nick = null } = {}) {
    const S = this.S;
    const li = element("li", "message");
    if (mine) li.classList.add("message--mine");
    const meta = element("p", "message__meta");
    const shownNick = mine && this.you ? this.you : (m.from ? m.from.nick : nick) || "";
    meta.append(element("span", "message__nick", shownNick));
    const role = m.from && m.from.role !== "visitor" ? S[`role_${m.from.role}`] : "";
    if (role) meta.append(" ", element("span", "badge", role));
    const time = element("time");
    if (m.ts) {
      time.dateTime = m.ts;
      time.textContent = this.time.format(new Date(m.ts));
    } else {
      time.textContent = S.sending;
    }
    meta.append(" ", time);
    if (m.card) {
      li.classList.add("message--referral");
      li.append(meta, this.referralCard(m.card, shownNick));
    } else {
      const body = element("p", "message__text", unmask(m.text, S));
      body.dir = "auto";  // a right-to-left message reads right to left
      li.append(meta, body);
    }
    if (m.seq !== undefined) li.dataset.seq = String(m.seq);
    if (m.from && m.from.id) li.dataset.author = m.from.id;
    return li;
  }

  // A referral card (docs/protocol.md, "referral"): a service of the directory, in the
  // reader's language (else Finnish), with whether it is open now worked out from the
  // opening windows the card carries, and how to reach it.
  referralCard(card, nick) {
    const S = this.S;
    const lang = document.documentElement.lang || "fi";
    const pick = (values) => (values && (values[lang] || values.fi || Object.values(values)[0])) || "";
    const box = element("article", "referral-card");
    box.setAttribute("aria-label", fmt(S.referral_label, { nick }));
    const name = element("p", "referral-card__name");
    const link = element("a", "", pick(card.names));
    link.href = `/directory/${card.service}`;
    link.target = "_blank";
    link.rel = "noopener";
    link.append(element("span", "visually-hidden", ` ${S.new_tab || ""}`));
    name.append(link);
    box.append(name);
    const where = pick(card.place);
    box.append(element("p", "referral-card__org", [card.organisation, where].filter(Boolean).join(" · ")));
    const open = this.openness(card);
    box.append(element("p", `status${open.now ? " status--open" : ""}`, open.text));
    const summary = pick(card.summaries);
    if (summary) box.append(element("p", "", summary));
    const when = (card.when && (card.when[lang] || card.when.fi)) || [];
    if (when.length) {
      const ul = element("ul", "referral-card__when");
      for (const line of when) ul.append(element("li", "", line));
      box.append(ul);
    }
    const reach = element("ul", "referral-card__reach");
    const add = (label, text, href) => {
      const li = element("li");
      if (label) li.append(`${label}: `);
      if (href) {
        const a = element("a", "", text);
        a.href = href;
        if (!href.startsWith("tel:") && !href.startsWith("mailto:") && !href.startsWith("/")) {
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
        li.append(a);
      } else {
        li.append(text);
      }
      reach.append(li);
    };
    if (card.phone) add(S.referral_phone, card.phone, `tel:${card.phone.replace(/\s/g, "")}`);
    if (card.chat) add("", S.referral_chat, card.chat);
    if (card.web) add(S.referral_web, card.web, card.web);
    if (card.email) add(S.referral_email, card.email, `mailto:${card.email}`);
    if (card.address) add("", card.address, null);
    if (reach.childElementCount) box.append(reach);
    return box;
  }

  // Whether a card's service is open now, from its opening windows (ISO pairs).
  openness(card) {
    const S = this.S;
    if (card.always) return { now: true, text: S.referral_always };
    const now = Date.now();
    for (const [start, end] of card.windows || []) {
      const from = Date.parse(start);
      const to = Date.parse(end);
      if (from <= now && now < to) return { now: true, text: fmt(S.referral_open_until, { time: this.time.format(new Date(to)) }) };
      if (from > now) return { now: false, text: fmt(S.referral_opens, { time: this.dateTime.format(new Date(from)) }) };
    }
    return { now: false, text: S.referral_no_times };
  }

  reset() {
    this.list.replaceChildren();
    this.shown.clear();
    // What waits for the server stays in view, after the new history.
    for (const b of this.bubbles.values()) this.list.append(b.el);
    for (const h of this.held.values()) this.list.append(h.el);
  }

  // Everything goes (the visitor deleted the conversation).
  clear() {
    this.list.replaceChildren();
    this.shown.clear();
    this.bubbles.clear();
    this.held.clear();
  }

  // A `message` frame (live or from `joined.history`); `mine` when the reader wrote it.
  message(m, mine = false) {
    if (this.shown.has(m.seq)) return;
    // The reader's own message takes the place of its waiting copy, so it stays where
    // they wrote it (with any note that came meanwhile after it). A held message that
    // was approved comes where the others see it: in order, after what came meanwhile.
    let copy = null;
    let own = mine;
    for (const [key, b] of this.bubbles) {
      if (b.seq === m.seq) { copy = b.el; this.bubbles.delete(key); own = true; }
    }
    for (const [key, h] of this.held) {
      if (h.seq === m.seq) { h.el.remove(); this.held.delete(key); own = true; }
    }
    const el = this.render(m, { mine: own });
    this.shown.set(m.seq, el);
    if (copy && copy.isConnected) copy.replaceWith(el);
    else this.append(el);
    for (const decorate of this.decorators) decorate(el, m, own);
  }

  // Shown at once while it goes to the server; `waiting` seconds of newcomer wait left.
  pending(ref, text, nick, waiting = 0) {
    const el = this.render({ text }, { mine: true, nick });
    el.classList.add("message--pending");
    if (waiting > 0) el.querySelector("time").textContent = this.S.queued;
    this.bubbles.set(ref, { el, seq: undefined });
    this.append(el);
    this.toBottom();  // what the reader writes, they see, wherever they were reading
  }

  queued(ref) {
    const b = this.bubbles.get(ref);
    if (b && b.seq === undefined) b.el.querySelector("time").textContent = this.S.queued;
  }

  sending(ref) {
    const b = this.bubbles.get(ref);
    if (b && b.seq === undefined) b.el.querySelector("time").textContent = this.S.sending;
  }

  ack(ref, seq) {
    const b = this.bubbles.get(ref);
    if (!b) return;
    b.seq = seq;
    const shown = this.shown.get(seq);
    if (shown) {
      // The message came before its acknowledgement: it takes the waiting copy's place.
      shown.classList.add("message--mine");
      if (b.el.isConnected) b.el.replaceWith(shown);
      this.bubbles.delete(ref);
    }
  }

  // The server refused it: the text goes back to the box (Composer.refused).
  drop(ref) {
    const b = this.bubbles.get(ref);
    if (b) { b.el.remove(); this.bubbles.delete(ref); }
  }

  heldFor(ref, id, notes) {
    const b = this.bubbles.get(ref);
    if (b) {
      this.bubbles.delete(ref);
      b.el.classList.add("message--held");
      b.el.querySelector("time").textContent = this.heldLabel;
      if (id !== undefined) this.held.set(id, { el: b.el, seq: undefined });
    }
    this.note((notes || []).join(" ") || this.heldLabel);
  }

  // A moderator approved held message `id`; it is message `seq` now.
  approved(id, seq) {
    const h = this.held.get(id);
    if (!h) return;
    h.seq = seq;
    const shown = this.shown.get(seq);
    if (shown) { shown.classList.add("message--mine"); h.el.remove(); this.held.delete(id); }
  }

  rejected(id) {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    h.el.classList.remove("message--held", "message--pending");
    h.el.classList.add("message--failed");
    h.el.querySelector("time").textContent = this.S.rejected || "";
  }

  redact(seq) {
    const el = this.shown.get(seq);
    if (!el) return;
    el.classList.add("message--removed");
    const card = el.querySelector(".referral-card");
    if (card) card.replaceWith(element("p", "message__text"));
    el.querySelector(".message__text").textContent = this.S.removed;
    el.querySelectorAll(".message__actions").forEach((n) => n.remove());
  }

  note(text, { link = null, className = "" } = {}) {
    if (!text) return null;
    const li = element("li", `message message--system ${className}`.trim(), text);
    if (link) {
      const a = element("a", "", link.text);
      a.href = link.href;
      li.append(" ", a);
    }
    this.append(li);
    return li;
  }

  private(frame) {
    const li = element("li", "message message--private", `${fmt(this.S.private_from, { nick: frame.from.nick })} ${frame.text}`);
    this.append(li);
  }

  // Crisis help for the writer: the numbers, and honest words about who knows. `told`:
  // a moderator or helper is present and got the alert; otherwise point to the numbers
  // and to what is open now. The numbers come in the order the kind of crisis needs
  // (the Poison Information Centre first for an overdose); `note` says what to do now
  // where the kind needs it.
  crisis(numbers, told, note = "") {
    const box = this.crisisEl;
    if (box) {
      const ul = box.querySelector("ul");
      if (ul && numbers && numbers.length) {
        ul.replaceChildren();
        for (const n of numbers) {
          const li = element("li");
          li.append(element("strong", "", n.name || ""), " ");
          const a = element("a", "", n.number);
          a.href = `tel:${String(n.number).replace(/\s/g, "")}`;
          li.append(a);
          if (n.description) li.append(element("br"), element("span", "hint", n.description));
          ul.append(li);
        }
      }
      let advice = box.querySelector(".crisis__note");
      if (note) {
        if (!advice) {
          advice = element("p", "crisis__note");
          box.querySelector("h2, h3")?.after(advice);
        }
        advice.textContent = note;
      } else advice?.remove();
      box.hidden = false;
      box.classList.add("crisis--highlight");
    }
    if (note) this.note(note, { className: "message--crisis" });
    if (told) this.note(this.S.crisis_told, { className: "message--crisis" });
    else this.note(this.S.crisis_alone, { className: "message--crisis", link: { href: "/#open-heading", text: this.S.open_now } });
  }

  // The room's moderation state (group rooms): pinned message, lock, slow mode.
  roomState(state) {
    if (this.pinnedEl) {
      this.pinnedEl.hidden = !state.pinned;
      this.pinnedEl.querySelector("p").textContent = state.pinned || "";
    }
    if (this.roomNoteEl) {
      const S = this.S;
      const notes = [];
      if (state.locked) notes.push(S.locked);
      if (state.slow_mode) notes.push(fmt(S.slow_mode, { seconds: state.slow_mode }));
      if (state.premoderated) notes.push(S.premoderated);
      this.roomNoteEl.textContent = notes.join(" ");
      this.roomNoteEl.hidden = notes.length === 0;
    }
  }
}

// ------------------------------------------------------------------ the message box

export class Composer {
  // form: the message form, holding a <textarea> (its maxlength is the limit), an element
  // of class "field-error" for reasons and one of class "send-wait" where the newcomer
  // wait is explained (empty otherwise); draftKey: where the draft is kept in the tab;
  // onSend(text): returns false when the text was not taken (it stays in the box).
  constructor({ form, strings, draftKey = null, onSend }) {
    const box = form.querySelector("textarea");
    Object.assign(this, { form, box, S: strings, onSend });
    this.errorEl = form.querySelector(".field-error");
    this.waitEl = form.querySelector(".send-wait");
    this.maxChars = box.maxLength > 0 ? box.maxLength : 2000;
    // A paste longer than the limit must not be cut without a word: the box takes all
    // of it, a counter shows near the limit, and sending says what is too much.
    box.removeAttribute("maxlength");
    box.dir = "auto";
    this.counter = element("p", "hint char-count");
    this.counter.id = `${box.id || "text"}-count`;
    this.counter.setAttribute("aria-live", "polite");
    this.counter.hidden = true;
    box.after(this.counter);
    box.setAttribute("aria-describedby", `${box.getAttribute("aria-describedby") || ""} ${this.counter.id}`.trim());
    this.button = form.querySelector("button[type=submit]");
    this.label = this.button ? this.button.textContent : "";
    this.draftKey = draftKey ? `kuulolla.draft.${draftKey}` : null;
    this.until = 0;
    this.timer = null;
    if (this.draftKey && !box.value) box.value = load(this.draftKey, tab()) || "";
    this.count();
    box.addEventListener("input", () => this.keep());
    form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
  }

  keep() {
    if (this.draftKey) save(this.draftKey, this.box.value, tab());
    this.count();
  }

  // "1850 / 2000 characters", shown from 80 % of the limit; past it, marked as an error
  // and the reason said beside the box (a paste too long is kept whole, never cut).
  count() {
    const n = this.box.value.trim().length;
    const near = n >= this.maxChars * 0.8;
    const over = n > this.maxChars;
    this.counter.hidden = !near;
    if (near) this.counter.textContent = fmt(this.S.char_count || "{n} / {max}", { n, max: this.maxChars });
    this.counter.classList.toggle("field-error", over);
    if (over) this.error(this.overText(n));
    else if (this.overShown) this.error("");
    this.overShown = over;
  }

  overText(n) {
    return fmt(this.S.over_limit || this.S.too_long, { n, max: this.maxChars, over: n - this.maxChars });
  }

  submit() {
    const text = this.box.value.trim();
    this.error("");
    if (!text) return;
    if (text.length > this.maxChars) {
      this.error(this.overText(text.length));
      this.box.focus();
      return;
    }
    if (this.onSend(text) === false) return;
    this.box.value = "";
    this.keep();
  }

  error(message) { if (this.errorEl) this.errorEl.textContent = message || ""; }

  // A refused message comes back into the box, before anything typed since, with the reason.
  refused(text, reason) {
    const current = this.box.value.trim();
    this.box.value = current && current !== text ? `${text}\n${current}` : text;
    this.keep();
    this.error(reason);
  }

  // The newcomer wait: the send button counts down; what is sent meanwhile goes at the end.
  wait(seconds) {
    clearInterval(this.timer);
    this.until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((this.until - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(this.timer);
        this.timer = null;
        if (this.button) this.button.textContent = this.label;
        if (this.waitEl) this.waitEl.textContent = "";
        this.form.classList.remove("send-form--waiting");
        return;
      }
      if (this.button) this.button.textContent = fmt(this.S.send_in, { n: left });
      if (this.waitEl) this.waitEl.textContent = fmt(this.S.wait_help, { n: left });
      this.form.classList.add("send-form--waiting");
    };
    tick();
    if (seconds > 0) this.timer = setInterval(tick, 250);
  }

  disable(reason) {
    this.form.hidden = true;
    if (reason) this.error(reason);
  }
}

// ------------------------------------------------------------------ a room on the socket

export class RoomSession {
  constructor(client, slug, { nick = null, view = null, composer = null } = {}) {
    Object.assign(this, { client, slug, nick, view, composer });
    this.lastSeq = null;   // the last sequence shown; null until the first `joined`
    this.joined = false;
    this.closed = false;   // ended, or the visitor was removed: never joined again
    this.author = null;    // the reader's own `from.id` in this room
    this.present = 0;
    this.host = false;     // a host or moderator (a helper, in a one-to-one chat) is here
    this.moderation = {};  // the last `moderation_state`
    this.waitUntil = 0;
    this.waitTimer = null;
    this.retryTimer = null;
    this.resynced = false;
    this.delayed = new Set();  // refs refused for now, whose reason the box shows
    this.store = new PendingStore(slug);
  }

  get waiting() { return Math.max(0, Math.ceil((this.waitUntil - Date.now()) / 1000)); }

  // Show what was pending when the page was left (a reload), to be sent after joining.
  restore() {
    for (const [ref, text] of this.store.entries()) this.view?.pending(ref, text, this.nick, 1);
  }

  join() {
    if (this.closed || !this.client.welcomed) return;
    const frame = { type: "join", room: this.slug };
    if (this.nick) frame.nick = this.nick;
    if (this.lastSeq !== null) frame.since = this.lastSeq;
    this.client.transmit(frame);
  }

  leave() {
    this.closed = true;
    this.client.transmit({ type: "leave", room: this.slug });
    this.client.rooms.delete(this.slug);
  }

  // Write a message: shown at once, sent now or when the wait ends, resent after a drop.
  send(text) {
    const ref = newRef();
    this.store.add(ref, text);
    this.view?.pending(ref, text, this.nick, this.waiting);
    this.flush();
    return ref;
  }

  // Any other frame about this room (reports, moderator actions).
  frame(fields) { return this.client.transmit({ ...fields, room: this.slug }); }

  flush() {
    if (!this.joined || this.waiting || !this.client.open) return;
    for (const [ref, text] of this.store.take(this.client.conn)) {
      this.view?.sending(ref);
      this.client.transmit({ type: "send", room: this.slug, text, ref });
    }
  }

  setWait(seconds) {
    clearTimeout(this.waitTimer);
    this.waitUntil = Date.now() + seconds * 1000;
    this.composer?.wait(seconds);
    if (seconds > 0) this.waitTimer = setTimeout(() => this.flush(), seconds * 1000 + 50);
  }

  retry(action) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(action, RETRY_MS * (0.5 + Math.random()));
  }

  show(m) {
    if (m.type === "redact") {
      this.view?.redact(m.seq);
      if (this.lastSeq === null || m.at > this.lastSeq) this.lastSeq = m.at;
      return;
    }
    if (this.lastSeq !== null && m.seq <= this.lastSeq) return;
    this.lastSeq = m.seq;
    this.view?.message(m, Boolean(this.author) && m.from?.id === this.author);
  }

  joinedWith(f) {
    const fresh = this.lastSeq === null;
    if (fresh) {
      this.view?.reset();
      if (this.resynced) this.view?.note(this.client.S.history_reset);
      this.resynced = false;
    }
    if (f.author) this.author = f.author;
    for (const m of f.history || []) this.show(m);
    if (fresh) this.view?.settle();  // a log opens at its newest message
    if (this.lastSeq === null || f.seq > this.lastSeq) this.lastSeq = f.seq;
    this.joined = true;
    this.present = f.present || 1;
    this.host = Boolean(f.host);
    this.setWait(f.wait || 0);
    this.flush();
    return fresh;
  }

  // An error about this room or one of its messages: what it means for the person.
  refuse(f) {
    if (f.code === "resync") {
      this.lastSeq = null;
      this.resynced = true;
      this.join();
      return "other";
    }
    if (f.code === "unavailable") {
      // Nothing was stored: try again shortly with the same refs (stored at most once).
      if (f.ref) { this.store.unsend(f.ref); this.retry(() => this.flush()); } else this.retry(() => this.join());
      return "other";
    }
    if (f.ref && this.store.has(f.ref)) {
      if (f.wait || f.code === "not_joined") {
        // Refused for now only (slow mode, a burst, too many frames), or sent before the
        // join finished: it waits in view and goes again by itself.
        this.store.unsend(f.ref);
        this.view?.queued(f.ref);
        if (f.code !== "not_joined" && f.code !== "rate_limited") {
          this.composer?.error(f.message);
          this.delayed.add(f.ref);
        }
        setTimeout(() => this.flush(), f.wait ? f.wait * 1000 + 100 : RETRY_MS);
        return "later";
      }
      const text = this.store.remove(f.ref);
      this.view?.drop(f.ref);
      this.composer?.refused(text, f.message);
      if (CLOSING.has(f.code)) { this.close(f.message); return "closed"; }
      return "send";
    }
    if (CLOSING.has(f.code) && !this.joined) { this.close(f.message); return "closed"; }
    if (!this.joined && JOIN_REFUSALS.has(f.code)) return "join";
    this.composer?.error(f.message);
    return "other";
  }

  close(message) {
    this.closed = true;
    this.joined = false;
    clearTimeout(this.waitTimer);
    clearTimeout(this.retryTimer);
    if (message) this.view?.note(message);
    this.composer?.disable();
    if ([...this.client.rooms.values()].every((r) => r.closed)) this.client.close();
  }
}

// ------------------------------------------------------------------ frame handlers

// The built-in handler of every server frame type (chat/protocol.py), called before the
// page's own (`client.on`). `room` is the RoomSession the frame concerns, or null.
const FRAME_HANDLERS = {
  welcome(client, f) {
    client.welcomed = true;
    client.me = f.me || null;
    if (f.token && f.me?.kind !== "staff") client.saveToken(f.token);
    client.token = f.token || client.token;
    client.setStatus("connected");
    for (const room of client.rooms.values()) room.join();
  },
  joined(client, f, room) {
    if (!room) return;
    client.attempts = 0;
    f.fresh = room.joinedWith(f);
    client.setStatus("connected");
  },
  left(client, f, room) { if (room) room.joined = false; },
  message(client, f, room) { room?.show(f); },
  redact(client, f, room) { room?.show({ type: "redact", seq: f.seq, at: f.at }); },
  // A referral card: shown in the stream like a message (MessageView.referralCard).
  referral(client, f, room) { room?.show(f); },
  ack(client, f, room) {
    if (!room) return;
    room.store.remove(f.ref);
    room.view?.ack(f.ref, f.seq);
    if (room.delayed.delete(f.ref) && !room.delayed.size) room.composer?.error("");
  },
  presence(client, f, room) {
    if (!room) return;
    room.present = f.count;
    room.host = Boolean(f.host);
  },
  pong() { /* the heartbeat's answer: any frame proves the connection alive */ },
  room_state(client, f, room) {
    // The roster closes the room soon, or has closed it (shifts/rooms.py).
    const view = room?.view;
    if (!view) return;
    const S = client.S;
    if (f.state === "closing" && f.closes_at) view.note(fmt(S.closing_soon, { time: view.time.format(new Date(f.closes_at)) }));
    else if (f.next_opening) view.note(fmt(S.closed_next, { time: view.dateTime.format(new Date(f.next_opening)) }));
    else view.note(S.closed_now);
  },
  notice(client, f, room) {
    if (f.held !== undefined) room?.view?.rejected(f.held);
    room?.view?.note((f.notes || []).join(" "));
  },
  held(client, f, room) {
    if (!room) return;
    room.store.remove(f.ref);
    room.view?.heldFor(f.ref, f.id, f.notes);
  },
  approved(client, f, room) { room?.view?.approved(f.id, f.seq); },
  crisis(client, f, room) { room?.view?.crisis(f.numbers || [], Boolean(f.told), f.note || ""); },
  moderation_state(client, f, room) {
    if (!room) return;
    room.moderation = { ...room.moderation, ...f };
    room.view?.roomState(f);
  },
  private(client, f, room) { if (!f.to_moderators && !f.to) room?.view?.private(f); },  // `to`: a moderator's copy for the thread
  restricted(client, f, room) {
    if (!room) return;
    if (f.kind === "remove" || f.kind === "ban") room.close(f.message);
    else room.view?.note(f.message);
  },
  done(client, f, room) {
    const S = client.S;
    if (f.action === "report") room?.view?.note(S.reported);
    else if (f.action === "to_moderators") room?.view?.note(S.sent_to_moderators);
  },
  // Moderators' frames: the moderator tools (moderate.js) and the helper console add
  // their handlers with client.on(); a visitor never gets these.
  alert() {},
  pending() {},
  report() {},
  reports() {},
  members() {},
  error(client, f, room) {
    if (room) f.refusal = room.refuse(f);
    else f.refusal = "other";
  },
};

export const FRAME_TYPES = Object.freeze(Object.keys(FRAME_HANDLERS));

// ------------------------------------------------------------------ the socket

export class ChatClient {
  // lang: the page's language (error messages come in it); token: the visitor's token
  // (null on the first visit: the server gives one); strings: the page's strings;
  // saveToken(token): keeps the token the server gave (default: the tab's storage).
  constructor({ lang, strings, token = null, url = null, saveToken = null }) {
    this.lang = lang;
    this.S = strings;
    this.token = token;
    this.saveToken = saveToken || ((t) => save("kuulolla.token", t));
    this.url = url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    this.rooms = new Map();
    this.handlers = new Map();
    this.statusListeners = [];
    this.status = "idle";
    this.ws = null;
    this.conn = 0;          // increases with every socket, so a message is sent once per socket
    this.welcomed = false;
    this.me = null;
    this.attempts = 0;
    this.timer = null;
    this.beat = null;
    this.stopped = false;
    this.openedAt = 0;
    this.heardAt = 0;
    this.pingAt = 0;
    window.addEventListener("online", () => {
      if (!this.ws && !this.stopped) { this.attempts = 0; this.connect(); }
    });
    document.addEventListener("kuulolla:exit", () => this.close());
  }

  get open() { return Boolean(this.ws) && this.ws.readyState === WebSocket.OPEN && this.welcomed; }

  // Add a handler for a frame type, called after the built-in one; returns a remover.
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    return () => {
      const list = this.handlers.get(type) || [];
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  onStatus(fn) {
    this.statusListeners.push(fn);
    fn(this.status);
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    for (const fn of this.statusListeners) {
      try { fn(status); } catch (err) { console.error(err); }
    }
  }

  // A room to be in on this socket (joined now when connected, and again after drops).
  room(slug, options = {}) {
    let room = this.rooms.get(slug);
    if (!room) {
      room = new RoomSession(this, slug, options);
      this.rooms.set(slug, room);
      room.restore();
    } else {
      Object.assign(room, options);
    }
    room.closed = false;
    if (this.welcomed) room.join();
    return room;
  }

  transmit(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped || this.ws) return;
    if (this.status !== "lost" && this.status !== "offline") this.setStatus(this.attempts ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (_) {
      this.retry();
      return;
    }
    this.ws = ws;
    this.conn += 1;
    this.welcomed = false;
    this.openedAt = Date.now();
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.heardAt = Date.now();
      this.pingAt = 0;
      this.transmit({ type: "hello", v: 1, token: this.token || undefined, lang: this.lang });
    });
    ws.addEventListener("message", (event) => { if (this.ws === ws) this.receive(event.data); });
    ws.addEventListener("close", (event) => { if (this.ws === ws) this.dropped(event.code); });
    clearInterval(this.beat);
    this.beat = setInterval(() => this.heartbeat(), TICK_MS);
  }

  // Guarded: a frame that is not JSON, not an object or of no known type is ignored, and
  // a failing handler does not stop the others.
  receive(data) {
    this.heardAt = Date.now();
    this.pingAt = 0;
    let frame;
    try { frame = JSON.parse(data); } catch (_) { return; }
    if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
    const builtin = Object.hasOwn(FRAME_HANDLERS, frame.type) ? FRAME_HANDLERS[frame.type] : null;
    const room = this.roomOf(frame);
    try { builtin?.(this, frame, room); } catch (err) { console.error(err); }
    for (const fn of [...(this.handlers.get(frame.type) || [])]) {
      try { fn(frame, room); } catch (err) { console.error(err); }
    }
  }

  roomOf(frame) {
    if (typeof frame.room === "string") return this.rooms.get(frame.room) || null;
    if (typeof frame.ref === "string") {
      for (const room of this.rooms.values()) if (room.store.has(frame.ref)) return room;
    }
    return null;
  }

  // Every second: ask when the socket has been silent, and give up on one that does not
  // answer (a silent outage: the socket still looks open, nothing arrives).
  heartbeat() {
    const ws = this.ws;
    if (!ws) return;
    const now = Date.now();
    if (ws.readyState === WebSocket.CONNECTING) {
      if (now - this.openedAt > CONNECT_TIMEOUT_MS) this.lost();
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    if (this.pingAt && now - this.pingAt > PING_TIMEOUT_MS) {
      this.lost();
    } else if (!this.pingAt && now - this.heardAt >= PING_IDLE_MS) {
      this.pingAt = now;
      this.transmit({ type: "ping" });
    }
  }

  lost() {
    const ws = this.ws;
    this.forget();
    this.setStatus("lost");
    try { ws?.close(); } catch (_) { /* already closing */ }
    this.retry();
  }

  forget() {
    this.ws = null;
    this.welcomed = false;
    clearInterval(this.beat);
    this.beat = null;
    for (const room of this.rooms.values()) room.joined = false;
  }

  dropped(code) {
    this.forget();
    if (this.stopped) return;
    if (code === 4001) {
      // The staff session ended (signed out, deactivated, …): reconnecting would not
      // make this person staff again. 4002 (roles changed) reconnects.
      this.stopped = true;
      this.setStatus("ended");
      return;
    }
    this.retry();
  }

  retry() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.attempts += 1;
    // Full jitter, so a restarted server is not met by every client at the same instant.
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.attempts, 6));
    if (navigator.onLine === false) this.setStatus("offline");
    else if (this.status !== "lost") this.setStatus("reconnecting");
    this.timer = setTimeout(() => this.connect(), Math.random() * ceiling);
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.forget();
    if (ws) ws.close(1000);
  }
}
