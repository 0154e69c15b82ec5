import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { startChatServer } from '../test/helpers/chat-server.js';

/**
 * A server for the benchmarks, alone in its process so its heap can be measured: `chatapp` is the
 * real chat server; `baseline` is a bare Socket.IO server that relays the same events with no
 * validation, sessions or history, the floor that chatapp's own work is measured against.
 */
type Kind = 'chatapp' | 'baseline';

async function startBaseline(): Promise<number> {
  const httpServer = createServer();
  const io = new Server(httpServer, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('session:start', (payload: { nickname: string }, ack: (r: object) => void) =>
      ack({ ok: true, nickname: payload.nickname, session: 'x' }),
    );
    socket.on('room:join', async (payload: { room: string }, ack: (r: object) => void) => {
      await socket.join(payload.room);
      ack({ ok: true, room: payload.room, members: [], history: [] });
    });
    socket.on('message:send', (payload: { room: string; text: string }, ack: (r: object) => void) => {
      const message = { id: String(Date.now()), room: payload.room, from: 'x', text: payload.text, ts: Date.now() };
      io.to(payload.room).emit('message', message);
      ack({ ok: true, message });
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return (httpServer.address() as { port: number }).port;
}

async function startChatapp(): Promise<number> {
  const server = await startChatServer({ eventBurst: 1_000_000, eventRatePerSecond: 1000, messageBurst: 1_000_000, messageRatePerSecond: 1000 });
  return server.port;
}

const kind = process.argv[2] as Kind;
const port = kind === 'baseline' ? await startBaseline() : await startChatapp();

function heapAfterGc(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

process.on('message', (request: string) => {
  if (request === 'heap') process.send?.({ heap: heapAfterGc() });
});
process.send?.({ port, heap: heapAfterGc() });
