// Kuulolla's chat on an organisation's own site: the one-line snippet
//   <script src="https://kuulolla.example.fi/embed.js" data-chat="TOPIC" async></script>
// (or data-room="ROOM") puts the chat in a frame where the script is; with
// data-open="window" and data-label="…" it puts a button that opens the chat in a new
// window instead. data-lang chooses fi, sv or en; data-height the frame's height.
//
// Served to any site (web/embed routes); it reads nothing of the page but its own
// attributes, sets no cookie and stores nothing. When the visitor leaves quickly in
// the frame, the frame asks this script to replace the whole page with the neutral
// site (the frame may not always do it itself).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var lang = ["fi", "sv", "en"].indexOf(data.lang) >= 0 ? data.lang : "fi";
  var kind = data.room ? "rooms" : "chat";
  var slug = data.room || data.chat;
  if (!slug || !/^[a-z0-9-]{1,64}$/.test(slug)) return;
  var query = "?lang=" + lang;

  if (data.open === "window") {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kuulolla-open";
    button.textContent = data.label || "Kuulolla";
    button.addEventListener("click", function () {
      window.open(origin + "/" + kind + "/" + slug + query, "_blank", "noopener");
    });
    script.after(button);
    return;
  }

  var frame = document.createElement("iframe");
  frame.src = origin + "/embed/" + kind + "/" + slug + query;
  frame.title = data.title || "Kuulolla";
  frame.width = "100%";
  frame.height = /^\d{2,4}$/.test(data.height || "") ? data.height : "640";
  frame.style.border = "0";
  frame.referrerPolicy = "no-referrer";
  script.after(frame);

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (message && message.kuulolla === "exit" && typeof message.url === "string"
        && /^(https?:\/\/|about:blank$)/.test(message.url)) {
      window.location.replace(message.url);
    }
  });
})();
