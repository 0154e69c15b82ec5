import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RoomPresence, ServerToClientEvents } from '../../WorkerRole1/src/shared/protocol.js';

type BotSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 15_000;
/** Bots connect this many at a time: enough to be quick, few enough not to swamp a busy machine. */
const CONCURRENCY = 25;

/**
 * Many people in one room, each a plain Socket.IO client in the test process with its own
 * session: what a page sees in a large room without opening hundreds of browsers.
 */
export class Crowd {
  private readonly bots = new Map<string, BotSocket>();
  /** Every room:presence event the first bot heard, to check the server coalesces. */
  readonly presence: RoomPresence[] = [];
  /** The bot that records presence events: the first one of the first join. */
  private listener: string | undefined;

  constructor(
    private readonly url: string,
    readonly room: string,
  ) {}

  /** Connects one bot per nickname and puts it in the room. */
  async join(nicknames: readonly string[]): Promise<void> {
    this.listener ??= nicknames[0];
    const queue = [...nicknames];
    const worker = async () => {
      for (let nickname = queue.shift(); nickname !== undefined; nickname = queue.shift()) {
        this.bots.set(nickname, await this.connect(nickname));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  /** These bots leave the room (at once, not after a grace period) and disconnect. */
  async leave(nicknames: readonly string[]): Promise<void> {
    await Promise.all(
      nicknames.map(async (nickname) => {
        const socket = this.bots.get(nickname);
        assert.ok(socket, `${nickname} is not in the crowd`);
        assert.ok((await retrying(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:leave', { room: this.room }))).ok);
        socket.disconnect();
        this.bots.delete(nickname);
      }),
    );
  }

  /** One of the bots says something in the room; returns the text. */
  async say(nickname: string, text: string): Promise<string> {
    const socket = this.bots.get(nickname);
    assert.ok(socket, `${nickname} is not in the crowd`);
    const clientId = `${nickname}-${Date.now()}`;
    const ack = await retrying(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', { room: this.room, text, clientId }));
    assert.ok(ack.ok, `message:send: ${JSON.stringify(ack)}`);
    return text;
  }

  close(): void {
    for (const socket of this.bots.values()) socket.disconnect();
    this.bots.clear();
  }

  private async connect(nickname: string): Promise<BotSocket> {
    const socket: BotSocket = io(this.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    if (nickname === this.listener) socket.on('room:presence', (event) => this.presence.push(event));
    const started = await retrying(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('session:start', { nickname }));
    assert.ok(started.ok, `session:start ${nickname}: ${JSON.stringify(started)}`);
    const joined = await retrying(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { room: this.room }));
    assert.ok(joined.ok, `room:join ${nickname}: ${JSON.stringify(joined)}`);
    return socket;
  }
}

/** Repeats a request the server refused with "not now", after the wait it asked for. */
async function retrying<T extends { ok: boolean; error?: { code: string; retryAfterMs?: number } }>(send: () => Promise<T>): Promise<T> {
  for (;;) {
    const ack = await send();
    if (ack.ok || (ack.error?.code !== 'RATE_LIMITED' && ack.error?.code !== 'STORAGE_UNAVAILABLE')) return ack;
    await new Promise((resolve) => setTimeout(resolve, ack.error?.retryAfterMs ?? 200));
  }
}
