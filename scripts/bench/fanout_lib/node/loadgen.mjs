// Load generator for scripts/bench/fanout: one process, bounded count and time,
// loopback only. It speaks three protocols: kuulolla (docs/protocol.md), relay (the
// bare websockets relay of this benchmark) and sio (Socket.IO v4 over WebSocket).
//
// Every message is delivered to every member of its room, the sender included. The
// text carries the send time, so each receiver measures latency; the generator
// counts deliveries expected and made for messages sent inside the measurement
// window and prints one JSON object.
//
// With "storm": true, every client drops its socket in the middle of the window and
// connects again (at most "storm_concurrency" handshakes in flight, like a balancer
// letting a deploy's reconnects through), resuming its room with the last sequence
// it saw (kuulolla: `since`, so what it missed comes as history; the relay has no
// history). Senders keep sending throughout; "storm_seconds" is how long until every
// client was in its room again.
//
// node loadgen.mjs '{"protocol":"kuulolla","urls":[...],"clients":1000,"rooms":10,
//   "senders_per_room":2,"rate":5,"warmup":5,"duration":20,"drain":5,"all_send":false}'

import WebSocket from "ws";
import { performance } from "node:perf_hooks";

const cfg = JSON.parse(process.argv[2]);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const stats = {
  sent: 0, acked: 0, errors: 0, delivered: 0, expected: 0,
  latencies: [], ackLatencies: [], connectFailures: 0, closes: 0, duplicates: 0,
  replayed: 0, inDoubt: 0,
  // Per connection, ms: the handshake (until open), the hello (until welcome; kuulolla
  // only) and the join (until joined).
  phases: { handshake: [], hello: [], join: [] },
};
let measuring = false;
let windowStart = 0, windowEnd = 0;
const roomSize = new Map();

function urlFor(i) {
  const base = cfg.urls[i % cfg.urls.length];
  if (cfg.protocol === "sio") return base.replace(/\/?$/, "/socket.io/?EIO=4&transport=websocket");
  return base;
}

class Client {
  constructor(i) {
    this.i = i;
    this.room = `bench-${i % cfg.rooms}`;
    this.sent = 0;
    this.pendingAcks = new Map();
    this.ready = false;
    this.token = undefined;
    this.lastSeq = undefined;
    this.attempt = 0;
  }

  connect() {
    this.attempt++;
    this.marks = { start: now() };
    return new Promise((resolve) => {
      // A reconnect goes to the next process, as a balancer without sticky sessions may.
      const ws = new WebSocket(urlFor(this.i + this.attempt - 1), { perMessageDeflate: false });
      this.ws = ws;
      const fail = () => { stats.connectFailures++; resolve(false); };
      ws.on("error", fail);
      ws.on("close", () => { stats.closes++; if (this.ws === ws) this.ready = false; });
      ws.on("open", () => {
        this.marks.open = now();
        ws.removeListener("error", fail);
        ws.on("error", () => {});
        if (cfg.protocol === "kuulolla") ws.send(JSON.stringify({ type: "hello", v: 1, token: this.token }));
        if (cfg.protocol === "relay") { ws.send(JSON.stringify({ type: "join", room: this.room })); }
      });
      ws.on("message", (data) => this.onMessage(data.toString(), resolve));
    });
  }

  onMessage(text, resolve) {
    const p = cfg.protocol;
    if (p === "kuulolla") {
      const f = JSON.parse(text);
      if (f.type === "message") return this.seen(f);
      if (f.type === "ack") return this.acked(f.ref);
      if (f.type === "welcome") {
        this.marks.welcome = now();
        this.token = f.token;
        return this.ws.send(JSON.stringify({ type: "join", room: this.room, nick: `Kuormittaja ${this.i}`, since: this.lastSeq }));
      }
      if (f.type === "joined") {
        this.phases(this.marks.welcome);
        for (const m of f.history) { if (m.type === "message") { stats.replayed++; this.seen(m); } }
        if (this.lastSeq === undefined || f.seq > this.lastSeq) this.lastSeq = f.seq;
        this.ready = true;
        return resolve(true);
      }
      if (f.type === "error") { stats.errors++; if (!this.ready) resolve(false); }
      return;
    }
    if (p === "relay") {
      const f = JSON.parse(text);
      if (f.type === "message") return this.delivered(f.text);
      if (f.type === "joined") { this.phases(this.marks.open); this.ready = true; return resolve(true); }
      return;
    }
    // Socket.IO v4: "0{..}" open, "40.." connected, "2" ping, "42[...]" event.
    if (text === "2") return this.ws.send("3");
    if (text.startsWith("0")) return this.ws.send("40");
    if (text.startsWith("40")) return this.ws.send(`42${JSON.stringify(["join", this.room])}`);
    if (text.startsWith("42")) {
      const [event, data] = JSON.parse(text.slice(2));
      if (event === "message") return this.delivered(data.text);
      if (event === "joined") { this.ready = true; return resolve(true); }
    }
  }

  phases(joinFrom) {
    const m = this.marks;
    if (!m || m.open === undefined) return;
    stats.phases.handshake.push(m.open - m.start);
    if (m.welcome !== undefined) stats.phases.hello.push(m.welcome - m.open);
    stats.phases.join.push(now() - joinFrom);
    this.marks = undefined;
  }

  seen(f) {
    // Each message once: a resumed client must not get one twice.
    if (this.lastSeq !== undefined && f.seq <= this.lastSeq) { stats.duplicates++; return; }
    this.lastSeq = f.seq;
    this.delivered(f.text);
  }

  delivered(text) {
    const space = text.indexOf(" ");
    const t = Number(text.slice(space + 1, text.indexOf(" ", space + 1)));
    if (t >= windowStart && t < windowEnd) {
      stats.delivered++;
      stats.latencies.push(now() - t);
    }
  }

  acked(ref) {
    const t = this.pendingAcks.get(ref);
    if (t === undefined) return;
    this.pendingAcks.delete(ref);
    if (t >= windowStart && t < windowEnd) { stats.acked++; stats.ackLatencies.push(now() - t); }
  }

  send() {
    if (!this.ready || this.ws.readyState !== WebSocket.OPEN) return;
    this.sent++;
    const t = now();
    const ref = `${this.i}-${this.sent}`;
    const text = `${ref} ${t.toFixed(3)} ${cfg.filler || "viesti"}`;
    if (t >= windowStart && t < windowEnd) {
      stats.sent++;
      stats.expected += roomSize.get(this.room);
    }
    if (cfg.protocol === "kuulolla") {
      this.pendingAcks.set(ref, t);
      this.ws.send(JSON.stringify({ type: "send", room: this.room, text, ref }));
    } else if (cfg.protocol === "relay") {
      this.ws.send(JSON.stringify({ type: "send", room: this.room, text }));
    } else {
      this.ws.send(`42${JSON.stringify(["send", { room: this.room, text }])}`);
    }
  }
}

function pct(values, p) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const clients = [];
  for (let i = 0; i < cfg.clients; i++) clients.push(new Client(i));
  for (const c of clients) roomSize.set(c.room, (roomSize.get(c.room) || 0) + 1);
  const t0 = now();
  // Connect in batches so the servers are not hit by thousands of handshakes at once.
  const batches = [];
  for (let i = 0; i < clients.length; i += 100) {
    const tb = now();
    const ok = await Promise.all(clients.slice(i, i + 100).map((c) => Promise.race([c.connect(), sleep(20000).then(() => false)])));
    if (ok.some((x) => !x)) { /* counted in connectFailures */ }
    batches.push(Math.round(now() - tb));
  }
  const connected = clients.filter((c) => c.ready).length;
  const connectSeconds = (now() - t0) / 1000;
  process.stderr.write("CONNECTED\n");

  const senders = cfg.all_send
    ? clients
    : clients.filter((c) => Math.floor(c.i / cfg.rooms) < cfg.senders_per_room);
  const timers = [];
  if (cfg.rate > 0) {
    for (const s of senders) {
      const interval = 1000 / cfg.rate;
      // Spread the senders' phases so sends are even over time.
      timers.push(setTimeout(() => {
        s.send();
        timers.push(setInterval(() => s.send(), interval));
      }, Math.random() * interval));
    }
  }
  windowStart = now() + cfg.warmup * 1000;
  windowEnd = windowStart + cfg.duration * 1000;
  if (cfg.report_window) process.stderr.write(JSON.stringify({ window_start: windowStart, window_end: windowEnd, connected }) + "\n");
  await sleep(cfg.warmup * 1000);
  measuring = true;
  process.stderr.write("MEASURE-START\n");
  let stormSeconds = null, stormFailures = 0;
  if (cfg.storm) {
    await sleep((cfg.duration * 1000) / 4);
    process.stderr.write("STORM-START\n");
    const t1 = now();
    for (const c of clients) {
      // A message sent but not acknowledged when its socket drops may or may not
      // have been stored: its deliveries are in doubt, not lost.
      for (const t of c.pendingAcks.values()) { if (t >= windowStart && t < windowEnd) stats.inDoubt += roomSize.get(c.room); }
      c.pendingAcks.clear();
      c.ready = false;
      c.ws.terminate();
    }
    const queue = clients.slice();
    const worker = async () => {
      while (queue.length) {
        const c = queue.shift();
        let ok = false;
        for (let tries = 0; tries < 5 && !ok; tries++) {
          ok = await Promise.race([c.connect(), sleep(20000).then(() => false)]);
          // An attempt given up on is closed, so it does not go on receiving.
          if (!ok) { c.ready = false; c.ws.terminate(); }
        }
        if (!ok) stormFailures++;
      }
    };
    await Promise.all(Array.from({ length: cfg.storm_concurrency || 500 }, worker));
    stormSeconds = (now() - t1) / 1000;
    process.stderr.write("STORM-END\n");
    const left = windowEnd - now();
    if (left > 0) await sleep(left);
  } else {
    await sleep(cfg.duration * 1000);
  }
  process.stderr.write("MEASURE-END\n");
  for (const t of timers) { clearTimeout(t); clearInterval(t); }
  await sleep(cfg.drain * 1000);
  for (const c of clients) c.ws.terminate();

  const out = {
    protocol: cfg.protocol,
    clients: cfg.clients,
    connected,
    connect_seconds: connectSeconds,
    batches_ms: batches,
    connect_failures: stats.connectFailures,
    storm_seconds: stormSeconds,
    storm_failures: stormFailures,
    replayed: stats.replayed,
    duplicates: stats.duplicates,
    sent: stats.sent,
    expected: stats.expected,
    delivered: stats.delivered,
    lost: Math.max(0, stats.expected - stats.delivered - stats.inDoubt),
    in_doubt: stats.inDoubt,
    delivered_per_second: stats.delivered / cfg.duration,
    sent_per_second: stats.sent / cfg.duration,
    errors: stats.errors,
    latency_ms: { p50: pct(stats.latencies, 50), p95: pct(stats.latencies, 95), p99: pct(stats.latencies, 99) },
    phases_ms: Object.fromEntries(Object.entries(stats.phases).filter(([, v]) => v.length).map(
      ([k, v]) => [k, { p50: pct(v, 50), p90: pct(v, 90), max: pct(v, 100) }])),
    acked: stats.acked,
    ack_latency_ms: { p50: pct(stats.ackLatencies, 50), p95: pct(stats.ackLatencies, 95), p99: pct(stats.ackLatencies, 99) },
  };
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

main();
