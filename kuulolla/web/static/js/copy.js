// "Copy" buttons beside read-only text (one-time links, calendar addresses, embedding
// snippets): <button data-copy="ID"> copies the value of the field with that id. What
// happened is said in the element data-copy-status names (else #copy-status), with the
// button's data-copied / data-failed texts (else the status element's). The buttons are
// hidden until this script shows them: without it the text is still selected by hand.

async function copy(field) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(field.value);
    return;
  }
  // Plain http (a development server): the older way, through a selection.
  field.focus();
  field.select();
  if (!document.execCommand("copy")) throw new Error("copy refused");
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) continue;
  const status =
    document.getElementById(button.dataset.copyStatus || "") ||
    document.getElementById("copy-status");
  const say = (key) => {
    if (status) status.textContent = button.dataset[key] || status.dataset[key] || "";
  };
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await copy(field);
      say("copied");
    } catch (_) {
      field.focus();
      field.select();
      say("failed");
    }
  });
}
