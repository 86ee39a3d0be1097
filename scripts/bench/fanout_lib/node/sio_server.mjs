// Node socket.io peer for scripts/bench/fanout: the same job as Kuulolla's fan-out,
// with the Redis adapter so two processes share rooms. Compression off.
//   node sio_server.mjs PORT REDIS_URL
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const [port, redisUrl] = process.argv.slice(2);
const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((req, res) => { res.writeHead(200); res.end("ok"); });
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, adapter: createAdapter(pub, sub) });
io.on("connection", (socket) => {
  socket.on("join", (room) => { socket.join(room); socket.emit("joined", room); });
  socket.on("send", (data) => { io.to(data.room).emit("message", data); });
});
http.listen(Number(port), "127.0.0.1");
