// A page of search results, the answer to a POST with the visitor's words in its body.
// The history entry is turned into a plain visit of the same address, so Back (or a
// reload) shows the empty form and never sends the words again or shows them.

try {
  history.replaceState(null, "", location.pathname);
} catch (_) { /* an old browser: the results stay a POST's answer */ }
