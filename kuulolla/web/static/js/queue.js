// The one-to-one chat page: enter the queue, wait with a live position and estimate,
// talk with the helper, then feedback, a return code or deletion.
//
// The tab's anonymous token (the same one the chat socket uses) identifies the
// visitor; it travels in POST bodies, never in an address. Live queue state comes
// as server-sent events from /chat/status (read with fetch, so the token stays in the
// body). The conversation runs on the shared chat client (chat-client.js) with the same
// rules as a group room: resuming with `since`, unacknowledged messages resent with the
// same `ref`, crisis help, held messages (the helper approves them), masking notes; there
// is no newcomer wait in a one-to-one conversation.

import { ChatClient, Composer, MessageView, fmt, statusText } from "./chat-client.js";

const root = document.getElementById("queue");
const topic = root.dataset.topic;
const csrf = root.dataset.csrf;
const S = JSON.parse(document.getElementById("queue-strings").textContent);
const lang = document.documentElement.lang || "fi";
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ token

function storage() {
  try {
    return localStorage.getItem("kuulolla.remember") === "1" ? localStorage : sessionStorage;
  } catch (_) {
    return null;
  }
}
function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
let token = null;
try { token = storage()?.getItem("kuulolla.token") ?? null; } catch (_) { /* storage off */ }
if (!token) {
  token = newToken();
  try { storage()?.setItem("kuulolla.token", token); } catch (_) { /* storage off */ }
}

async function post(path, body, accept = "application/json") {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrf, accept },
    body: JSON.stringify({ token, ...body }),
    credentials: "same-origin",
  });
  return response;
}

async function postJson(path, body) {
  const response = await post(path, body);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message || S.error);
  return data;
}

// ------------------------------------------------------------------ views

let view = null;     // last status from the server
let entry = null;    // entry id
let exiting = false;

function show(section) {
  for (const id of ["entry", "waiting", "conversation", "after"]) $(id).hidden = id !== section;
  root.classList.toggle("queue--talking", section === "conversation");
}

function applyStatus(data) {
  const before = view?.state;
  view = data;
  entry = data.entry ?? entry;
  if (data.state === "waiting") {
    show("waiting");
    const parts = [];
    if (data.returned) parts.push(S.returned);
    if (data.position) parts.push(fmt(S.position, { n: data.position }));
    if (data.closed) {
      // Past closing time: whether the visitor will still be answered, kindly.
      parts.push(fmt(data.answered ? S.closed_answered : S.closed_unanswered, { time: data.closed_time || "" }));
    }
    if (!data.closed || data.answered) {
      parts.push(data.estimate_minutes ? fmt(S.estimate, { n: data.estimate_minutes }) : S.estimate_unknown);
    }
    const text = parts.join(" ");
    if ($("wait-status").textContent !== text) $("wait-status").textContent = text;
    closeSocket();
  } else if (data.state === "active") {
    const focusLost = document.activeElement === document.body || ["entry", "waiting"].some((id) => $(id).contains(document.activeElement));
    show("conversation");
    if (before !== "active") {
      $("conv-status").textContent = S.active;
      // On a phone the helper's first message and the box fill the screen, the topic
      // above them (the quick exit stays in its corner); a keyboard user goes on in
      // the box rather than from the top of the page.
      $("send-form").scrollIntoView({ block: "end" });
      if (focusLost) $("text").focus({ preventScroll: true });
    }
    openSocket(data.room);
  } else if (data.state === "ended" && before && before !== "ended") {
    finish();
  } else if (data.state === "left" && before === "waiting") {
    show("entry");
    $("enter-error").textContent = S.left;
  }
}

function finish() {
  closeSocket();
  show("after");
  $("after-heading").focus();
}

// ------------------------------------------------------------------ live status

let streaming = false;
// Leaving ends the stream: an event computed before the leave must not bring the
// waiting view back.
let streamAbort = null;

async function stream() {
  if (streaming || exiting) return;
  streaming = true;
  const controller = new AbortController();
  streamAbort = controller;
  try {
    const response = await fetch("/chat/status", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "text/event-stream" },
      body: JSON.stringify({ token }),
      credentials: "same-origin",
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error("status");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (line.startsWith("data: ") && !controller.signal.aborted) applyStatus(JSON.parse(line.slice(6)));
        }
      }
    }
  } catch (_) {
    if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
  } finally {
    streaming = false;
  }
  if (controller.signal.aborted) return;
  if (view && (view.state === "waiting" || view.state === "active") && !exiting) stream();
}

// ------------------------------------------------------------------ entering

$("enter-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const answers = {};
  for (const key of ["age_group", "subject", "first_time"]) {
    const value = data.get(key);
    if (typeof value === "string" && value.trim()) answers[key] = value.trim();
  }
  $("enter-error").textContent = "";
  try {
    const status = await postJson(`/chat/${topic}/enter`, {
      answers,
      consent: $("q-consent") ? $("q-consent").checked : true,
      return_code: String(data.get("return_code") || ""),
    });
    applyStatus(status);
    if (answers.subject) suggest(answers.subject);
    $("waiting-heading").setAttribute("tabindex", "-1");
    $("waiting-heading").focus();
    stream();
  } catch (error) {
    $("enter-error").textContent = error.message;
  }
});

function stopStream() {
  streamAbort?.abort();
  streamAbort = null;
}

$("leave").addEventListener("click", async () => {
  stopStream();
  await postJson("/chat/leave", {}).catch(() => {});
  view = { state: "left" };
  show("entry");
});

$("end").addEventListener("click", async () => {
  stopStream();
  await postJson("/chat/leave", {}).catch(() => {});
  view = { ...(view || {}), state: "ended" };
  finish();
});

// Help while waiting: archive answers to what the visitor wrote, in place of those
// matching the topic (the text goes in a POST body, never in an address).
async function suggest(text) {
  try {
    const response = await fetch("/questions/similar", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ text }),
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok || !data.results?.length) return;
    const box = $("help-answers");
    const list = box.querySelector("ul");
    list.replaceChildren(...data.results.slice(0, 3).map((r) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.title;
      if (r.language) a.lang = r.language;
      li.append(a);
      return li;
    }));
    $("help-answers-heading").textContent = S.answers_for_you;
    box.hidden = false;
  } catch (_) { /* the topic's answers stay */ }
}

// ------------------------------------------------------------------ conversation

const messages = new MessageView({
  list: $("messages"),
  scroller: $("log"),
  strings: S,
  lang,
  crisis: $("crisis"),
  you: S.you,
});
let client = null;
let room = null;
const composer = new Composer({
  form: $("send-form"),
  strings: S,
  draftKey: `chat.${topic}`,
  onSend: (text) => (room ? room.send(text) : false),
});

function showHelper(r) {
  $("helper-presence").textContent = r.host ? S.helper_here : S.helper_away;
}

function openSocket(slug) {
  if (!slug || exiting) return;
  if (client && room?.slug === slug) return;
  closeSocket();
  client = new ChatClient({ lang, strings: S, token, saveToken: () => {} });
  client.onStatus((status) => { $("conv-status").textContent = statusText(S, status); });
  client.on("joined", (f, r) => showHelper(r));
  client.on("presence", (f, r) => { if (r) showHelper(r); });
  client.on("error", (f) => {
    // The conversation ended or was handed on: the queue's status says what now.
    if (f.code === "room_closed" || f.code === "room_not_found") stream();
  });
  room = client.room(slug, { nick: S.visitor_nick, view: messages, composer });
  client.connect();
}

function closeSocket() {
  client?.close();
  client = null;
  room = null;
}

// ------------------------------------------------------------------ after the chat

$("feedback-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  try {
    await postJson("/chat/feedback", {
      entry,
      helped: String(data.get("helped") || ""),
      rating: String(data.get("rating") || ""),
      text: String(data.get("text") || ""),
    });
    event.target.hidden = true;
    $("after-status").textContent = S.thanks;
  } catch (error) {
    $("after-status").textContent = error.message;
  }
});

$("take-code").addEventListener("click", async () => {
  try {
    const data = await postJson("/chat/return-code", { entry });
    $("after-status").textContent = fmt(S.code, { code: data.code });
    $("take-code").hidden = true;
  } catch (error) {
    $("after-status").textContent = error.message;
  }
});

$("delete").addEventListener("click", async () => {
  try {
    await postJson("/chat/delete", { entry });
    $("after-status").textContent = S.deleted;
    $("delete").hidden = true;
    $("take-code").hidden = true;
    messages.clear();
  } catch (error) {
    $("after-status").textContent = error.message;
  }
});

// The quick exit leaves the queue or ends the conversation (the helper sees the visitor
// left), in a request that outlives the page; the way out waits a moment for it.
document.addEventListener("kuulolla:exit", (event) => {
  exiting = true;
  closeSocket();
  if (view && (view.state === "waiting" || view.state === "active")) {
    const leaving = fetch("/chat/leave", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
      body: JSON.stringify({ token }),
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => {});
    event.detail?.waitFor?.(leaving);
  }
});

// ------------------------------------------------------------------ start

// Coming back to the page (a reload, a drop) resumes the visitor's place.
(async () => {
  try {
    const status = await postJson("/chat/status", {});
    if (status.topic === topic && (status.state === "waiting" || status.state === "active")) {
      applyStatus(status);
      stream();
    }
  } catch (_) { /* offline: the form stays */ }
})();
