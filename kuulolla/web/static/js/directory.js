// The directory page remembers the visitor's region for this tab only
// (sessionStorage: gone when the tab closes, cleared by the quick exit), never on
// the server. Coming back to the directory in the same tab shows the same area.

const KEY = "kuulolla.directory.region";
const form = document.querySelector("[data-directory-form]");
const select = form ? form.querySelector("[data-region]") : null;

function stored() {
  try { return sessionStorage.getItem(KEY) || ""; } catch (_) { return ""; }
}

function store(value) {
  try {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  } catch (_) { /* storage may be disabled */ }
}

if (select) {
  const params = new URLSearchParams(window.location.search);
  if ("posted" in form.dataset) {
    // Results of a search in words (a POST's answer): the region is the one sent.
    store(select.value);
  } else if (params.has("region")) {
    store(params.get("region"));
  } else {
    const remembered = stored();
    if (remembered && [...select.options].some((o) => o.value === remembered)) {
      params.set("region", remembered);
      window.location.replace(`${window.location.pathname}?${params}`);
    }
  }
  form.addEventListener("submit", () => store(select.value));
}
