// Moderator tools on the shared chat client (chat-client.js): crisis alerts, held
// messages, reports, private messages, room settings and actions on each message.
// Frames: docs/protocol.md, "Moderation and safety".
//
// attach({client, view, slug, strings}) adds the group room's panel (room.html, for staff
// of the room's organisation), shown once the server says this person moderates the
// room (`moderation_state.moderator`). alertItem() and heldItem() render an alert and a
// held message the same way wherever a moderator sees them (the helper console too).

import { fmt, unmask } from "./chat-client.js";

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

// A crisis alert at the top of `list`, with a tone.
export function alertItem(list, f, M) {
  const where = f.seq !== undefined ? fmt(M.alert_seq, { seq: f.seq }) : M.alert_held;
  const text = f.source === "model" ? M.alert_possible : M.alert;
  const category = M[`kind_${f.category}`] || f.category;
  const li = item(list, `${fmt(text, { nick: f.nick, category })} ${where}`);
  li.className = f.source === "model" ? "alert--crisis alert--possible" : "alert--crisis";
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
  const mine = (f, room) => room?.slug === slug || f.room === slug;

  function addActions(el) {
    if (!moderator || el.querySelector(".message__actions")) return;
    if (!el.dataset.seq || el.classList.contains("message--mine") || el.classList.contains("message--removed")) return;
    const seq = Number(el.dataset.seq);
    const details = document.createElement("details");
    details.className = "message__actions";
    const summary = document.createElement("summary");
    summary.textContent = M.moderate;
    details.append(summary);
    details.append(
      button(M.remove, () => send({ type: "redact", seq })),
      button(M.mute, () => send({ type: "restrict", seq, kind: "mute", seconds: 600 })),
      button(M.kick, () => send({ type: "restrict", seq, kind: "remove", seconds: 3600 })),
      button(M.ban, () => send({ type: "restrict", seq, kind: "ban", seconds: 86400 })),
      button(M.lift, () => send({ type: "lift", seq })),
    );
    if (el.dataset.author) {
      details.append(button(M.whisper, () => {
        const text = window.prompt(M.whisper_prompt);
        if (text) send({ type: "whisper", to: el.dataset.author, text });
      }));
    }
    el.append(details);
  }

  // Private messages are grouped by their writer (the room pseudonym): a flood from one
  // person stays one item with a count (the server limits how many come, too), so the
  // lists around it, crisis alerts first, stay in view.
  const privateGroups = new Map();
  function privateItem(f) {
    const key = f.from.id || f.from.nick;
    let group = privateGroups.get(key);
    if (!group) {
      const li = document.createElement("li");
      const p = document.createElement("p");
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      const all = document.createElement("ol");
      details.hidden = true;
      details.append(summary, all);
      li.append(p, details);
      group = { li, p, details, summary, all, count: 0 };
      privateGroups.set(key, group);
    }
    group.count += 1;
    const who = group.count > 1 ? fmt(M.private_group, { nick: f.from.nick, n: group.count }) : f.from.nick;
    group.p.textContent = `${who}: ${f.text}`;
    const entry = document.createElement("li");
    entry.textContent = f.text;
    group.all.append(entry);
    if (group.all.children.length > 50) group.all.firstElementChild.remove();
    group.summary.textContent = fmt(M.private_all, { n: group.count });
    group.details.hidden = group.count < 2;
    privateList.prepend(group.li);
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
  client.on("alert", (f, room) => { if (mine(f, room)) alertItem(alerts, f, M); });
  client.on("pending", (f, room) => {
    if (mine(f, room)) heldItem(heldList, f, M, (id, approve) => send({ type: "decide", id, approve }), (t) => unmask(t, S));
  });
  client.on("report", (f, room) => {
    if (mine(f, room)) item(reportList, fmt(M.report, { seq: f.seq, reason: M[`reason_${f.reason}`] || f.reason }), f.id);
  });
  client.on("reports", (f, room) => {
    if (!mine(f, room)) return;
    reportList.replaceChildren();
    for (const r of f.items) {
      const context = r.context.map((c) => `${c.seq === r.seq ? "» " : ""}${c.nick}: ${c.text}`).join("\n");
      const li = item(reportList, `${fmt(M.report, { seq: r.seq, reason: M[`reason_${r.reason}`] || r.reason })}\n${context}`, r.id);
      li.querySelector("p").style.whiteSpace = "pre-wrap";
      li.append(
        button(M.resolve_action, () => send({ type: "resolve", id: r.id, resolution: "action" })),
        button(M.resolve_dismiss, () => send({ type: "resolve", id: r.id, resolution: "dismissed" })),
      );
    }
    if (!f.items.length) status.textContent = M.no_reports;
  });
  client.on("private", (f, room) => {
    if (mine(f, room) && f.to_moderators) privateItem(f);
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
