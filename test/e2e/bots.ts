import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../WorkerRole1/src/shared/protocol.js';
import { uniqueNickname } from './browser.js';

/** Another person, as a plain Socket.IO client, posting `count` messages to a room. */
export async function sendFromBot(url: string, room: string, bot: number, count: number): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const started = await socket.timeout(5000).emitWithAck('session:start', { nickname: uniqueNickname(`bot${bot}`) });
  assert.ok(started.ok);
  assert.ok((await socket.timeout(5000).emitWithAck('room:join', { room })).ok);
  for (let index = 0; index < count; index += 1) {
    for (;;) {
      const ack = await socket.timeout(5000).emitWithAck('message:send', { room, text: `missed ${index} from bot ${bot}`, clientId: `bot${bot}-${index}` });
      if (ack.ok) break;
      assert.equal(ack.error.code, 'RATE_LIMITED');
      await new Promise((resolve) => setTimeout(resolve, ack.error.retryAfterMs ?? 200));
    }
  }
  socket.disconnect();
}
