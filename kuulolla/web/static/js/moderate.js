// Moderator tools on the room page: alerts, held messages, reports, private messages,
// room settings and actions on each message. Loaded for staff of the room's
// organisation; shown once the server says this person moderates the room
// (`moderation_state.moderator`). Frames: docs/protocol.md, "Moderation and safety".

const root = document.getElementById("room");
const slug = root.dataset.room;
const M = JSON.parse(document.getElementById("moderator-strings").textContent);
const panel = document.getElementById("modpanel");
const alerts = document.getElementById("mod-alerts");
const heldList = document.getElementById("mod-held");
const reportList = document.getElementById("mod-reports");
const privateList = document.getElementById("mod-private");
const settingsForm = document.getElementById("mod-settings");
const status = document.getElementById("mod-status");

let moderator = false;
const send = (frame) => document.dispatchEvent(new CustomEvent("kuulolla:send", { detail: { room: slug, ...frame } }));
const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

function button(label, onClick, className = "") {
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

function beep() {
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

function showPanel() {
  moderator = true;
  panel.hidden = false;
  document.querySelectorAll("#messages .message").forEach((el) => addActions(el));
}

function hidePanel() {
  // Checked out, or the shift ended: the server sends no more moderators' frames.
  moderator = false;
  panel.hidden = true;
  document.querySelectorAll("#messages .message__actions").forEach((el) => el.remove());
}

function addActions(el) {
  if (!moderator || el.querySelector(".message__actions")) return;
  const seq = Number(el.dataset.seq);
  if (!el.dataset.seq || el.classList.contains("message--mine") || el.classList.contains("message--removed")) return;
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

document.addEventListener("kuulolla:message", (event) => addActions(event.detail.el));

document.addEventListener("kuulolla:frame", (event) => {
  const f = event.detail;
  if (f.room && f.room !== slug) return;
  switch (f.type) {
    case "moderation_state":
      if (f.moderator === true) showPanel();
      else if (f.moderator === false) hidePanel();
      settingsForm.elements.locked.checked = Boolean(f.locked);
      settingsForm.elements.premoderated.checked = Boolean(f.premoderated);
      settingsForm.elements.slow_mode.value = String(f.slow_mode || 0);
      settingsForm.elements.pinned.value = f.pinned || "";
      break;
    case "alert": {
      const where = f.seq !== undefined ? fmt(M.alert_seq, { seq: f.seq }) : M.alert_held;
      const text = f.source === "model" ? M.alert_possible : M.alert;
      const li = item(alerts, `${fmt(text, { nick: f.nick })} ${where}`);
      li.className = f.source === "model" ? "alert--crisis alert--possible" : "alert--crisis";
      beep();
      break;
    }
    case "pending": {
      if (heldList.querySelector(`[data-id="${f.id}"]`)) break;
      const li = item(heldList, `${f.nick}: ${f.text}`, f.id);
      li.append(
        button(M.approve, () => send({ type: "decide", id: f.id, approve: true })),
        button(M.reject, () => send({ type: "decide", id: f.id, approve: false })),
      );
      break;
    }
    case "report":
      item(reportList, fmt(M.report, { seq: f.seq, reason: M[`reason_${f.reason}`] || f.reason }), f.id);
      break;
    case "reports":
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
      break;
    case "private":
      if (f.to_moderators) item(privateList, `${f.from.nick}: ${f.text}`);
      break;
    case "done":
      if (f.id !== undefined && ["approve", "reject", "resolve"].includes(f.action)) {
        document.querySelectorAll(`#mod-held [data-id="${f.id}"], #mod-reports [data-id="${f.id}"]`)
          .forEach((n) => (f.action === "resolve") === (n.parentElement === reportList) && n.remove());
      }
      status.textContent = M[`done_${f.action}`] || M.done;
      break;
    default:
      break;
  }
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

document.getElementById("mod-load-reports").addEventListener("click", () => send({ type: "reports" }));
