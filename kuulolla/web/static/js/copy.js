// "Copy" buttons beside read-only code (data-copy names the text field). Without the
// clipboard the buttons stay hidden and the code is selected by hand.

const status = document.getElementById("copy-status");

if (navigator.clipboard) {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      if (!field) return;
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = status.dataset.copied || "";
      } catch (_) {
        field.focus();
        field.select();
      }
    });
  }
}
