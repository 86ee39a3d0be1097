// The last step of the quick exit (templates/exit.html): on to the neutral site, in
// place of this page, so Back does not return to the service.
window.location.replace(document.body.dataset.exitUrl || "about:blank");
