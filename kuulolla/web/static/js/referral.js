// The referral picker: staff search the service directory and send a service to the
// conversation as a referral card (docs/protocol.md, "refer"). The card itself is drawn
// for everyone by the shared chat client (chat-client.js, MessageView.referral).
//
//   attachReferrals({ root, session, strings })
//
// root: the picker's element (templates/directory/_referral_picker.html); session: a
// function giving the RoomSession of the room or conversation (null before joining);
// strings: the page's strings.

import { fmt, newRef } from "./chat-client.js";

const LIMIT = 8;

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function attachReferrals({ root, session, strings: S }) {
  if (!root) return;
  const form = root.querySelector("form");
  const list = root.querySelector(".referral-picker__results");
  const status = root.querySelector(".referral-picker__status");
  let asked = 0;

  async function search() {
    const params = new URLSearchParams(new FormData(form));
    params.set("lang", document.documentElement.lang || "fi");
    for (const [key, value] of [...params]) if (!value) params.delete(key);
    const mine = ++asked;
    status.textContent = S.referral_searching;
    let found;
    try {
      const response = await fetch(`/directory/search.json?${params}`, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      found = await response.json();
    } catch (_) {
      if (mine === asked) status.textContent = S.referral_failed;
      return;
    }
    if (mine !== asked) return;
    list.replaceChildren();
    for (const service of (found.services || []).slice(0, LIMIT)) list.append(item(service));
    status.textContent = found.total ? fmt(S.referral_found, { n: found.total }) : S.referral_none;
  }

  function item(service) {
    const li = element("li", "referral-picker__item");
    const name = element("p", "referral-picker__name");
    const link = element("a", "", service.name);
    link.href = service.path;
    link.target = "_blank";
    link.rel = "noopener";
    name.append(link);
    const meta = element("p", "hint", [service.kind, service.organisation, service.place].filter(Boolean).join(" · "));
    const when = element("p", `status${service.open ? " status--open" : ""}`, service.open ? S.referral_open : (service.when || [])[0] || "");
    const send = element("button", "button-secondary", S.referral_send);
    send.type = "button";
    send.setAttribute("aria-label", fmt(S.referral_send_named, { name: service.name }));
    send.addEventListener("click", () => {
      const room = session();
      if (!room || !room.joined) { status.textContent = S.referral_not_joined; return; }
      room.frame({ type: "refer", service: service.service, ref: newRef() });
      status.textContent = fmt(S.referral_sent, { name: service.name });
    });
    li.append(name, meta, when, send);
    return li;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
}
