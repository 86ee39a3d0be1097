// Staff notifications while a staff page is open (the duty desk, the helper console):
// a tone made here (no sound file, no request), a count in the tab's title, and the
// desktop's notifications when the person has allowed them. The person's choices
// (quiet, volume) are kept on this device; the title blinks only when the operating
// system does not ask for reduced motion.
//
//   const notifier = new Notifier({ strings: S });
//   notifier.notify({ title: "…", body: "…", urgent: true, tag: "crisis-5" });
//                                       // sound: false when the page made its own
//   notifier.count(3);                  // "(3) Päivystys" in the tab title
//   attachSettings(S, notifier);        // the page's #notify-* controls, if it has them

import { fmt } from "./chat-client.js";

const KEY = "kuulolla.staff.notify";

export function loadSettings() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEY) || "{}");
    return kept && typeof kept === "object" ? kept : {};
  } catch (_) {
    return {};
  }
}

function saveSettings(values) {
  try { localStorage.setItem(KEY, JSON.stringify({ ...loadSettings(), ...values })); } catch (_) { /* storage off */ }
}

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

export class Notifier {
  constructor({ strings }) {
    this.S = strings;
    this.base = document.title;
    this.n = 0;
    this.ctx = null;
    this.blinking = null;
    // Browsers start sound only after the person has used the page once.
    const wake = () => { this.ctx?.resume?.().catch(() => {}); };
    document.addEventListener("pointerdown", wake, { passive: true });
    document.addEventListener("keydown", wake);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.stopBlink(); });
  }

  // A short tone; three rising ones when urgent (a crisis). Returns whether it played.
  tone(urgent = false) {
    const settings = loadSettings();
    const volume = Math.max(0, Math.min(100, Number(settings.volume ?? 60))) / 100;
    if (settings.quiet || volume === 0) return false;
    try {
      this.ctx = this.ctx || new AudioContext();
      if (this.ctx.state === "suspended") this.ctx.resume().catch(() => {});
      const beeps = urgent ? 3 : 1;
      for (let i = 0; i < beeps; i += 1) {
        const osc = this.ctx.createOscillator();
        const gain = this.ctx.createGain();
        osc.frequency.value = urgent ? 660 + i * 220 : 880;
        gain.gain.value = 0.25 * volume;
        osc.connect(gain).connect(this.ctx.destination);
        const at = this.ctx.currentTime + i * 0.35;
        osc.start(at);
        osc.stop(at + 0.25);
      }
      return true;
    } catch (_) {
      return false;  // no audio: the visible signals remain
    }
  }

  // The number of things waiting for the person, in the tab's title.
  count(n) {
    this.n = n;
    if (!this.blinking) document.title = n ? fmt(this.S.title_count, { n, title: this.base }) : this.base;
  }

  blink(text) {
    if (!document.hidden || reducedMotion()) return;
    this.stopBlink();
    let on = false;
    this.blinking = setInterval(() => {
      on = !on;
      document.title = on ? text : (this.n ? fmt(this.S.title_count, { n: this.n, title: this.base }) : this.base);
    }, 1000);
  }

  stopBlink() {
    clearInterval(this.blinking);
    this.blinking = null;
    this.count(this.n);
  }

  notify({ title, body = "", urgent = false, tag = undefined, onClick = null, sound = true }) {
    if (sound) this.tone(urgent);
    this.blink(title);
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    try {
      const n = new Notification(title, { body, tag, requireInteraction: urgent });
      n.addEventListener("click", () => { window.focus(); onClick?.(); n.close(); });
    } catch (_) { /* not allowed here (some browsers want a service worker) */ }
  }
}

// The page's controls, when it has them: #notify-quiet, #notify-volume, #notify-desktop.
export function attachSettings(S, notifier) {
  const $ = (id) => document.getElementById(id);
  const settings = loadSettings();
  const quiet = $("notify-quiet");
  const volume = $("notify-volume");
  const desktop = $("notify-desktop");
  const status = $("notify-desktop-status");
  if (quiet) {
    quiet.checked = Boolean(settings.quiet);
    quiet.addEventListener("change", () => saveSettings({ quiet: quiet.checked }));
  }
  if (volume) {
    volume.value = String(settings.volume ?? 60);
    volume.addEventListener("change", () => {
      saveSettings({ volume: Number(volume.value) });
      notifier.tone(false);  // hear what was chosen
    });
  }
  if (desktop) {
    const show = () => {
      if (!("Notification" in window)) { desktop.hidden = true; return; }
      desktop.hidden = Notification.permission === "granted";
      if (status) {
        status.textContent = Notification.permission === "granted" ? S.notifications_on
          : Notification.permission === "denied" ? S.notifications_blocked : "";
      }
    };
    desktop.addEventListener("click", async () => {
      try { await Notification.requestPermission(); } catch (_) { /* older browsers */ }
      show();
    });
    show();
  }
}
