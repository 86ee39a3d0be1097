// The helper console: a heartbeat that keeps the helper's conversations theirs, and
// on a conversation page the chat itself, on the shared chat client (chat-client.js;
// staff are recognised by their session cookie on the socket). The helper moderates
// their conversation: crisis alerts, held messages to approve or reject.

import { ChatClient, Composer, MessageView, statusText, unmask } from "./chat-client.js";
import { alertItem, heldItem, settled } from "./moderate.js";
import { attachReferrals } from "./referral.js";

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
  const client = new ChatClient({ lang, strings: S });
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

  client.onStatus((status) => { $("conv-status").textContent = statusText(S, status); });
  const showVisitor = (r) => { $("visitor-presence").textContent = r.present > 1 ? S.visitor_here : S.visitor_away; };
  client.on("joined", (f, r) => showVisitor(r));
  client.on("presence", (f, r) => { if (r) showVisitor(r); });
  // The helper moderates their conversation: crisis alerts and held messages come here.
  client.on("alert", (f) => {
    safety.hidden = false;
    alertItem($("alerts"), f, S);
  });
  client.on("pending", (f) => {
    safety.hidden = false;
    heldItem($("held"), f, S, decide, (t) => unmask(t, S));
  });
  client.on("done", (f) => settled(f, $("held")));
  client.on("error", (f) => {
    if (f.code === "room_closed" || f.code === "room_not_found") {
      $("conv-status").textContent = S.ended;
      client.close();
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
