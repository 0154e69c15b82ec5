import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server, type Socket } from 'socket.io';
import { serveHandedConnections } from '../WorkerRole1/src/server/scale-out/cluster-connections.js';

/**
 * The baseline: a bare Socket.IO 4.8 chat that answers chatapp's events with the same shapes and
 * none of its checks (no validation, no unique nicknames, no rate limits, no stored history, no
 * sessions to resume). It does the same room work in the simplest way Socket.IO allows: the
 * member count and up to 100 names from the adapter's room, `user:joined`/`user:left` in rooms of
 * up to 50, one coalesced `room:presence` per room per second above that.
 *
 * With `--redis URL` it joins the other processes started so through the Redis streams adapter,
 * as chatapp's instances do with REDIS_URL: broadcasts reach every process, while the member
 * count and names stay those of this process's sockets (bare Socket.IO has no shared registry).
 * As a cluster worker (bench/fair-peer.ts) it also serves the connections its balancer hands over.
 * Usage: node --import tsx bench/server-under-test.ts --port P [--redis URL]
 */
const INDIVIDUAL_MAX = 50;
const PRESENCE_INTERVAL_MS = 1000;
const MEMBERS_IN_JOIN = 100;

type Ack = (response: object) => void;

const { values } = parseArgs({ options: { port: { type: 'string' }, redis: { type: 'string' } } });
const httpServer = createServer();
const redis = values.redis === undefined ? undefined : await createClient({ url: values.redis }).connect();
const io = new Server(httpServer, { serveClient: false, ...(redis ? { adapter: createAdapter(redis) } : {}) });
if (cluster.isWorker) serveHandedConnections(httpServer);
const nicknames = new Map<string, string>();
const pending = new Map<string, { joined: string[]; left: string[] }>();
let nextId = 0;

function memberCount(room: string): number {
  return io.sockets.adapter.rooms.get(room)?.size ?? 0;
}

function announce(socket: Socket, room: string, change: 'joined' | 'left', nickname: string): void {
  const count = memberCount(room);
  if (count <= INDIVIDUAL_MAX) {
    socket.to(room).emit(`user:${change}`, { room, nickname, count });
    return;
  }
  const changes = pending.get(room) ?? { joined: [], left: [] };
  changes[change].push(nickname);
  pending.set(room, changes);
}

setInterval(() => {
  for (const [room, { joined, left }] of pending) {
    io.to(room).emit('room:presence', { room, joined: joined.slice(0, 100), left: left.slice(0, 100), count: memberCount(room) });
  }
  pending.clear();
}, PRESENCE_INTERVAL_MS);

io.on('connection', (socket) => {
  socket.on('session:start', (payload: { nickname: string }, ack: Ack) => {
    nicknames.set(socket.id, payload.nickname);
    ack({ ok: true, nickname: payload.nickname, session: socket.id, rooms: [] });
  });
  socket.on('room:join', (payload: { room: string }, ack: Ack) => {
    void socket.join(payload.room);
    const nickname = nicknames.get(socket.id) ?? '';
    const members = [nickname];
    for (const id of io.sockets.adapter.rooms.get(payload.room) ?? []) {
      if (members.length >= MEMBERS_IN_JOIN) break;
      if (id !== socket.id) members.push(nicknames.get(id) ?? '');
    }
    announce(socket, payload.room, 'joined', nickname);
    ack({ ok: true, room: payload.room, memberCount: memberCount(payload.room), members, history: [] });
  });
  socket.on('message:send', (payload: { room: string; text: string; clientId: string }, ack: Ack) => {
    nextId += 1;
    const message = { id: String(nextId).padStart(26, '0'), room: payload.room, from: nicknames.get(socket.id), text: payload.text, ts: Date.now(), clientId: payload.clientId };
    io.to(payload.room).emit('message', message);
    ack({ ok: true, message });
  });
  socket.on('history:fetch', (_payload: unknown, ack: Ack) => ack({ ok: true, messages: [] }));
  socket.on('disconnecting', () => {
    const nickname = nicknames.get(socket.id) ?? '';
    for (const room of socket.rooms) if (room !== socket.id) announce(socket, room, 'left', nickname);
  });
  socket.on('disconnect', () => nicknames.delete(socket.id));
});

httpServer.listen(Number(values.port), '127.0.0.1');
