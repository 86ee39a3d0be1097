// Moderator tools on the shared chat client (chat-client.js): crisis alerts, held
// messages, reports, private messages, room settings and actions on each message.
// Frames: docs/protocol.md, "Moderation and safety".
//
// attach({client, view, slug, strings}) adds the group room's panel (room.html, for staff
// of the room's organisation), shown once the server says this person moderates the
// room (`moderation_state.moderator`). alertItem() and heldItem() render an alert and a
// held message the same way wherever a moderator sees them (the helper console too).

import { fmt, unmask } from "./chat-client.js";
import { Notifier } from "./staff-notify.js";

// The choices of moderation/actions.py: DURATION_PRESETS (seconds) and REASON_PRESETS.
const DURATIONS = [600, 3600, 86400, 604800];
const PRESETS = ["abuse", "harassment", "personal_data", "spam", "disruption", "safety", "other"];

export function button(label, onClick, className = "") {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function item(list, text, id) {
  const li = document.createElement("li");
  if (id !== undefined) li.dataset.id = String(id);
  const p = document.createElement("p");
  p.textContent = text;
  li.append(p);
  list.prepend(li);
  return li;
}

export function beep() {
  // Audible as well as visible: a short tone made here (no sound file, no request).
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.1;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch (_) { /* no audio: the visible alert remains */ }
}

// The message `seq` in the page's log, when it is shown there.
function shownMessage(seq) {
  return document.querySelector(`#messages .message[data-seq="${seq}"]`);
}

// A button that brings message `seq` into view in the log, marked and focused;
// `missing` is said when it is not on the page (any more).
export function showButton(seq, M, missing = () => {}) {
  return button(M.report_show, () => {
    const el = shownMessage(seq);
    if (!el) { missing(M.report_not_shown); return; }
    el.scrollIntoView({ block: "center" });
    el.classList.add("message--reported");
    el.setAttribute("tabindex", "-1");
    el.focus();
  }, "button--secondary");
}

const SNIPPET = 160;  // characters of the message quoted in an alert

// A crisis alert at the top of `list`, with a tone: who wrote, what kind of crisis, and
// the message's own words (quoted from the log once the message is there; the alert
// may come before it) with a button that brings it into view. A held message's
// alert says it waits for approval (its words are in the held list).
export function alertItem(list, f, M, missing = () => {}) {
  const text = f.source === "model" ? M.alert_possible : M.alert;
  const category = M[`kind_${f.category}`] || f.category;
  const li = item(list, fmt(text, { nick: f.nick, category }));
  li.className = f.source === "model" ? "alert--crisis alert--possible" : "alert--crisis";
  if (f.seq !== undefined) {
    li.dataset.seq = String(f.seq);
    const quote = document.createElement("blockquote");
    quote.className = "alert__text";
    quote.hidden = true;
    li.append(quote, showButton(f.seq, M, missing));
    const fill = () => {
      const words = shownMessage(f.seq)?.querySelector(".message__text")?.textContent?.trim();
      if (!words) return false;
      quote.textContent = words.length > SNIPPET ? `${words.slice(0, SNIPPET - 1)}…` : words;
      quote.hidden = false;
      return true;
    };
    const log = document.getElementById("messages");
    if (!fill() && log) {
      const watch = new MutationObserver(() => { if (fill()) watch.disconnect(); });
      watch.observe(log, { childList: true, subtree: true });
      setTimeout(() => watch.disconnect(), 120000);
    }
  } else {
    li.append(Object.assign(document.createElement("p"), { textContent: M.alert_held }));
  }
  beep();
  return li;
}

// A held message with Approve and Reject; decide(id, approve) sends the decision.
export function heldItem(list, f, M, decide, unmask = (t) => t) {
  if (list.querySelector(`[data-id="${f.id}"]`)) return null;
  const li = item(list, `${f.nick}: ${unmask(f.text)}`, f.id);
  li.append(
    button(M.approve, () => decide(f.id, true)),
    button(M.reject, () => decide(f.id, false), "button--secondary"),
  );
  return li;
}

// A decision on a held message or report was made (by anyone): take it off the list.
export function settled(f, heldList, reportList = null) {
  if (f.id === undefined || !["approve", "reject", "resolve"].includes(f.action)) return;
  const list = f.action === "resolve" ? reportList : heldList;
  list?.querySelector(`[data-id="${f.id}"]`)?.remove();
}

export function attach({ client, view, slug, strings: S }) {
  const $ = (id) => document.getElementById(id);
  const M = JSON.parse($("moderator-strings").textContent);
  const panel = $("modpanel");
  const alerts = $("mod-alerts");
  const heldList = $("mod-held");
  const reportList = $("mod-reports");
  const privateList = $("mod-private");
  const settingsForm = $("mod-settings");
  const status = $("mod-status");
  let moderator = false;
  const send = (frame) => client.transmit({ room: slug, ...frame });
  // A crisis alert or a report while the moderator looks elsewhere: the tab's title
  // counts them until they come back, and a desktop notification (when allowed) and a
  // tone tell each (staff-notify.js; the alert's own tone is alertItem's).
  const notifier = new Notifier({ strings: M });
  let unseen = 0;
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { unseen = 0; notifier.count(0); }
  });
  function tell(title, { urgent = false, tag = undefined, sound = true } = {}) {
    if (document.hidden) { unseen += 1; notifier.count(unseen); }
    notifier.notify({ title, urgent, tag, sound });
  }
  const mine = (f, room) => room?.slug === slug || f.room === slug;

  // A message's moderator actions: what to do (remove the message, mute, remove from
  // the room, ban), for how long (presets or a length typed in), and why (a preset
  // reason and the moderator's own words), sent with the frame and kept in the audit
  // log; then lifting a restriction and a private message to the writer.
  let formCount = 0;
  function field(labelText, control) {
    const wrap = document.createElement("div");
    wrap.className = "modform__field";
    const label = document.createElement("label");
    formCount += 1;
    control.id = control.id || `modform-${formCount}`;
    label.htmlFor = control.id;
    label.textContent = labelText;
    wrap.append(label, control);
    return wrap;
  }
  function select(options) {
    const s = document.createElement("select");
    for (const [value, text] of options) {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = text;
      s.append(o);
    }
    return s;
  }

  function actionForm(seq) {
    const form = document.createElement("form");
    form.className = "modform";
    form.noValidate = true;
    const what = select([["redact", M.remove], ["mute", M.do_mute], ["remove", M.do_kick], ["ban", M.do_ban]]);
    what.name = "action";
    const length = select([...DURATIONS.map((d) => [String(d), M[`duration_${d}`]]), ["custom", M.duration_custom]]);
    length.name = "length";
    length.value = "3600";
    const amount = document.createElement("input");
    amount.type = "number";
    amount.name = "amount";
    amount.min = "1";
    amount.inputMode = "numeric";
    const unit = select([["60", M.unit_minutes], ["3600", M.unit_hours], ["86400", M.unit_days]]);
    unit.name = "unit";
    const lengthField = field(M.duration, length);
    const customField = document.createElement("div");
    customField.className = "modform__custom";
    customField.append(field(M.duration_amount, amount), field(M.duration_unit, unit));
    customField.hidden = true;
    const preset = select([["", M.reason_choose], ...PRESETS.map((k) => [k, M[`preset_${k}`]])]);
    preset.name = "preset";
    const words = document.createElement("input");
    words.type = "text";
    words.name = "reason";
    words.maxLength = 500;
    words.autocomplete = "off";
    const error = document.createElement("p");
    error.className = "field-error";
    error.setAttribute("role", "alert");
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = M.act;
    form.append(field(M.action, what), lengthField, customField, field(M.reason, preset), field(M.reason_words, words), error, submit);
    const sync = () => {
      const restricting = what.value !== "redact";
      lengthField.hidden = !restricting;
      customField.hidden = !restricting || length.value !== "custom";
    };
    what.addEventListener("change", sync);
    length.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      const reason = words.value.trim();
      if (!preset.value && !reason) {
        error.textContent = M.reason_needed;
        preset.focus();
        return;
      }
      const frame = { seq, reason, ...(preset.value ? { preset: preset.value } : {}) };
      if (what.value === "redact") {
        send({ type: "redact", ...frame });
        return;
      }
      let seconds = Number(length.value);
      if (length.value === "custom") {
        const n = Number(amount.value);
        seconds = Math.round(n * Number(unit.value));
        if (!Number.isFinite(n) || n <= 0 || seconds < 60 || seconds > 366 * 86400) {
          error.textContent = M.duration_bad;
          amount.setAttribute("aria-invalid", "true");
          amount.focus();
          return;
        }
        amount.removeAttribute("aria-invalid");
      }
      send({ type: "restrict", kind: what.value, seconds, ...frame });
    });
    return form;
  }

  function addActions(el) {
    if (!moderator || el.querySelector(".message__actions")) return;
    if (!el.dataset.seq || el.classList.contains("message--mine") || el.classList.contains("message--removed")) return;
    const seq = Number(el.dataset.seq);
    const details = document.createElement("details");
    details.className = "message__actions";
    const summary = document.createElement("summary");
    summary.textContent = M.moderate;
    details.append(summary);
    details.append(actionForm(seq), button(M.lift, () => send({ type: "lift", seq }), "button--secondary"));
    if (el.dataset.author) {
      const nick = el.querySelector(".message__nick")?.textContent || "";
      details.append(button(M.whisper, () => {
        details.open = false;
        openThread(el.dataset.author, nick).focus();
      }, "button--secondary"));
    }
    el.append(details);
  }

  // Private messages: one thread per writer (their room pseudonym), what they wrote to
  // the moderators and what moderators wrote to them from this page, with a reply box.
  // A flood from one person stays one thread of at most 50 lines (the server limits how
  // many come, too), so the lists around it, crisis alerts first, stay in view.
  const threads = new Map();
  function thread(id, nick) {
    let t = threads.get(id);
    if (t) return t;
    const li = document.createElement("li");
    li.className = "thread";
    li.dataset.author = id;
    const heading = document.createElement("h4");
    heading.className = "thread__heading";
    heading.textContent = fmt(M.thread_with, { nick });
    const lines = document.createElement("ol");
    lines.className = "thread__lines";
    const form = document.createElement("form");
    form.className = "thread__reply";
    form.noValidate = true;
    const box = document.createElement("textarea");
    box.rows = 2;
    box.maxLength = 2000;
    box.name = "text";
    const reply = document.createElement("button");
    reply.type = "submit";
    reply.textContent = M.thread_send;
    form.append(field(fmt(M.thread_reply, { nick }), box), reply);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      send({ type: "whisper", to: id, text });
      line(t, M.thread_me, text, "thread__line--mine");
      box.value = "";
    });
    li.append(heading, lines, form);
    privateList.prepend(li);
    t = { li, heading, lines, box, nick, count: 0 };
    threads.set(id, t);
    return t;
  }
  function line(t, who, text, className = "") {
    const entry = document.createElement("li");
    entry.className = `thread__line ${className}`.trim();
    const name = document.createElement("span");
    name.className = "thread__who";
    name.textContent = `${who}: `;
    entry.append(name, unmask(text, S));
    t.lines.append(entry);
    if (t.lines.children.length > 50) t.lines.firstElementChild.remove();
  }
  // A visitor's nickname from their messages or the list of who is here.
  function nickOf(id) {
    const written = document.querySelector(`#messages .message[data-author="${CSS.escape(id)}"] .message__nick`);
    const listed = [...parts.values()].flat().find((m) => m.id === id);
    return written?.textContent || listed?.nick || "?";
  }
  function openThread(id, nick) {
    const t = thread(id, nick);
    privateList.prepend(t.li);
    return t.box;
  }
  function privateItem(f) {
    const id = f.from.id || f.from.nick;
    const t = thread(id, f.from.nick);
    t.count += 1;
    if (t.count > 1) t.heading.textContent = fmt(M.thread_with_count, { nick: f.from.nick, n: t.count });
    line(t, f.from.nick, f.text);
    privateList.prepend(t.li);
  }

  function showPanel() {
    moderator = true;
    panel.hidden = false;
    panel.parentElement?.classList.add("room--moderating");
    document.querySelectorAll("#messages .message").forEach((el) => addActions(el));
  }

  function hidePanel() {
    // Checked out, or the shift ended: the server sends no more moderators' frames.
    moderator = false;
    panel.hidden = true;
    panel.parentElement?.classList.remove("room--moderating");
    document.querySelectorAll("#messages .message__actions").forEach((el) => el.remove());
  }

  view.decorators.push((el) => addActions(el));

  client.on("moderation_state", (f, room) => {
    if (!mine(f, room)) return;
    if (f.moderator === true) showPanel();
    else if (f.moderator === false) hidePanel();
    settingsForm.elements.locked.checked = Boolean(f.locked);
    settingsForm.elements.premoderated.checked = Boolean(f.premoderated);
    settingsForm.elements.slow_mode.value = String(f.slow_mode || 0);
    settingsForm.elements.pinned.value = f.pinned || "";
  });
  client.on("alert", (f, room) => {
    if (!mine(f, room)) return;
    alertItem(alerts, f, M, (text) => { status.textContent = text; });
    tell(fmt(M.new_crisis, { nick: f.nick }), { urgent: true, tag: `alert-${f.seq ?? f.held}`, sound: false });
  });
  client.on("pending", (f, room) => {
    if (mine(f, room)) heldItem(heldList, f, M, (id, approve) => send({ type: "decide", id, approve }), (t) => unmask(t, S));
  });
  // A report names the message by its writer, time and words, with a button that
  // brings it into view in the log (messages have no numbers a reader could look up).
  function reportText(r, fallback = null) {
    const el = shownMessage(r.seq);
    const reason = M[`reason_${r.reason}`] || M.reason_other;
    const nick = el?.querySelector(".message__nick")?.textContent || fallback?.nick || "";
    const time = el?.querySelector("time")?.textContent || "";
    const text = el?.querySelector(".message__text")?.textContent || (fallback ? unmask(fallback.text, S) : "");
    if (!nick) return fmt(M.report_gone, { reason });
    return fmt(time ? M.report_at : M.report_by, { reason, nick, time, text });
  }
  const reportShow = (seq) => showButton(seq, M, (text) => { status.textContent = text; });
  client.on("report", (f, room) => {
    if (!mine(f, room)) return;
    tell(M.new_report, { tag: `report-${f.id}` });
    const li = item(reportList, reportText(f), f.id);
    if (f.note) li.append(Object.assign(document.createElement("p"), { textContent: f.note }));
    li.append(reportShow(f.seq));
  });
  client.on("reports", (f, room) => {
    if (!mine(f, room)) return;
    reportList.replaceChildren();
    for (const r of f.items) {
      const target = r.context.find((c) => c.seq === r.seq);
      const li = item(reportList, reportText(r, target), r.id);
      if (r.note) li.append(Object.assign(document.createElement("p"), { textContent: r.note }));
      const around = r.context.filter((c) => c.seq !== r.seq);
      if (around.length) {
        const details = document.createElement("details");
        const summary = document.createElement("summary");
        summary.textContent = M.report_context;
        const lines = document.createElement("ol");
        for (const c of r.context) {
          const entry = document.createElement("li");
          entry.textContent = `${c.nick}: ${unmask(c.text, S)}`;
          if (c.seq === r.seq) entry.className = "report__target";
          lines.append(entry);
        }
        details.append(summary, lines);
        li.append(details);
      }
      li.append(
        reportShow(r.seq),
        button(M.resolve_action, () => send({ type: "resolve", id: r.id, resolution: "action" })),
        button(M.resolve_dismiss, () => send({ type: "resolve", id: r.id, resolution: "dismissed" }), "button--secondary"),
      );
    }
    if (!f.items.length) status.textContent = M.no_reports;
  });
  client.on("private", (f, room) => {
    if (!mine(f, room)) return;
    if (f.to_moderators) privateItem(f);
    // Another moderator's reply to a visitor, in that visitor's thread (this page's
    // own replies are already there).
    else if (f.to && f.from?.id !== room?.author) {
      line(thread(f.to, nickOf(f.to)), f.from.nick, f.text, "thread__line--staff");
    }
  });
  client.on("done", (f, room) => {
    if (!mine(f, room)) return;
    settled(f, heldList, reportList);
    if (!["report", "to_moderators"].includes(f.action)) status.textContent = M[`done_${f.action}`] || M.done;
  });
  client.on("error", (f, room) => {
    if (mine(f, room) && f.refusal === "other" && panel && !panel.hidden) status.textContent = f.message;
  });

  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const e = settingsForm.elements;
    send({
      type: "room_settings",
      locked: e.locked.checked,
      premoderated: e.premoderated.checked,
      slow_mode: Number(e.slow_mode.value || "0"),
      pinned: e.pinned.value,
    });
  });

  $("mod-load-reports").addEventListener("click", () => send({ type: "reports" }));

  // Who is here: each server process answers for its own sockets (docs/protocol.md,
  // "members"); the list is their union, staff first, with each visitor's restriction
  // and a private message button. Asked again when the room's count changes.
  const memberList = $("mod-members");
  const parts = new Map();
  let membersShown = false;
  let membersTimer = null;
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "fi", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
  function askMembers() {
    membersShown = true;
    parts.clear();
    send({ type: "members" });
  }
  function drawMembers() {
    const all = [...parts.values()].flat();
    const seen = new Set();
    const people = all.filter((m) => {
      const key = m.id || `${m.nick}/${m.role}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).sort((a, b) => (a.role === "visitor") - (b.role === "visitor") || a.nick.localeCompare(b.nick));
    memberList.replaceChildren();
    for (const m of people) {
      const li = document.createElement("li");
      li.className = "members__item";
      const name = document.createElement("span");
      name.className = "members__nick";
      name.textContent = m.nick;
      li.append(name);
      if (m.role !== "visitor") {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = S[`role_${m.role}`] || m.role;
        li.append(" ", badge);
      }
      if (m.restriction) {
        const note = document.createElement("span");
        note.className = "members__restriction";
        note.textContent = fmt(M[`member_${m.restriction}`] || M.member_mute, { time: m.until ? timeFormat.format(new Date(m.until)) : "" });
        li.append(" ", note);
      }
      if (m.role === "visitor" && m.id) {
        li.append(" ", button(M.whisper, () => openThread(m.id, m.nick).focus(), "button--secondary"));
      }
      memberList.append(li);
    }
    if (!people.length) memberList.append(Object.assign(document.createElement("li"), { textContent: M.members_none }));
  }
  client.on("members", (f, room) => {
    if (!mine(f, room)) return;
    parts.set(f.part, f.items);
    drawMembers();
  });
  client.on("presence", (f, room) => {
    if (!mine(f, room) || !membersShown || !moderator) return;
    clearTimeout(membersTimer);
    membersTimer = setTimeout(askMembers, 1000);
  });
  $("mod-load-members").addEventListener("click", askMembers);

  // Arrived from the duty desk at one message (#m-SEQ): once the room's log is shown,
  // that message is in view, marked and focused.
  const target = /^#m-(\d+)$/.exec(location.hash);
  if (target) {
    const off = client.on("joined", (f, room) => {
      if (!mine(f, room)) return;
      off();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const el = document.querySelector(`#messages [data-seq="${target[1]}"]`);
        if (!el) return;
        el.classList.add("message--target");
        el.tabIndex = -1;
        el.scrollIntoView({ block: "center" });
        el.focus({ preventScroll: true });
      }));
    });
  }
}
