// The ask form: shows published answers similar to what the visitor is typing.
//
// The text is sent with POST (never in an address), at most once per pause in typing.
// Links open in a new tab, so what the visitor has typed stays where it is.
// Without this script the form still works: the server shows similar answers once
// before the question is sent.

const form = document.getElementById("ask-form");
const body = document.getElementById("body");
const title = document.getElementById("title");
const panel = document.getElementById("similar-live");
const seen = document.getElementById("seen_similar");
const S = JSON.parse(document.getElementById("similar-strings").textContent);

const WAIT_MS = 600;
const MIN_CHARS = 12;
let timer = null;
let lastText = "";
let controller = null;

function render(results) {
  panel.replaceChildren();
  if (!results.length) {
    panel.hidden = true;
    return;
  }
  const heading = document.createElement("h2");
  heading.textContent = S.heading;
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = S.hint;
  const list = document.createElement("ul");
  list.className = "plain-list";
  for (const r of results) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = r.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = r.title;
    const note = document.createElement("span");
    note.className = "visually-hidden";
    note.textContent = ` ${S.new_tab}`;
    link.append(note);
    item.append(link);
    if (r.snippet) {
      const snippet = document.createElement("p");
      snippet.className = "hint";
      snippet.textContent = r.snippet;
      item.append(snippet);
    }
    list.append(item);
  }
  panel.append(heading, hint, list);
  panel.hidden = false;
}

async function lookup() {
  const text = `${title ? title.value : ""} ${body.value}`.trim();
  if (text.length < MIN_CHARS || text === lastText) return;
  lastText = text;
  if (controller) controller.abort();
  controller = new AbortController();
  try {
    const response = await fetch("/questions/similar", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "x-csrf-token": form.querySelector("input[name=csrf_token]")?.value || "",
      },
      body: JSON.stringify({ text }),
      signal: controller.signal,
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    render(data.results || []);
  } catch (_) {
    // Offline or aborted: the form works without suggestions.
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(lookup, WAIT_MS);
}

if (form && body && panel) {
  // Suggestions are shown as the visitor types, so the server need not show them again.
  if (seen) seen.value = "1";
  body.addEventListener("input", schedule);
  if (title) title.addEventListener("input", schedule);
  document.addEventListener("kuulolla:exit", () => { if (controller) controller.abort(); });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
}
