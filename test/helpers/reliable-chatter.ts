import { io, type Socket } from 'socket.io-client';
import type { Ack, ChatMessage, ClientToServerEvents, HistoryFetchPayload, ServerToClientEvents } from '../../WorkerRole1/src/shared/protocol.js';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 3000;
const STORED_ACK_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Refusals that mean "not now": the browser client waits `retryAfterMs` and asks again. */
const NOT_NOW = new Set(['STORAGE_UNAVAILABLE', 'RATE_LIMITED']);

/**
 * `history:fetch`, waiting out "not now" as the browser client does (storage that is slow to
 * answer, on a busy machine, is refused with STORAGE_UNAVAILABLE); any other refusal throws.
 */
async function fetchHistory(socket: ChatSocket, payload: HistoryFetchPayload): Promise<{ messages: ChatMessage[] }> {
  const deadline = Date.now() + STORED_ACK_TIMEOUT_MS;
  for (;;) {
    const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('history:fetch', payload);
    if (ack.ok) return ack;
    if (!NOT_NOW.has(ack.error.code) || Date.now() > deadline) throw new Error(`history:fetch failed: ${ack.error.code}`);
    await sleep(ack.error.retryAfterMs ?? 200);
  }
}

/**
 * A chat client with the browser client's recovery rules, for fault tests: when its connection
 * drops it reconnects to the next instance in its list (as the load balancer would send it),
 * resumes its session with its token, rejoins its room, catches up with `history:fetch after`,
 * and resends every unacknowledged message with the same clientId.
 */
export class ReliableChatter {
  /** Every message this client has shown, by id: live deliveries and catch-up alike. */
  readonly seen = new Map<string, ChatMessage>();
  private readonly shownBySender = new Map<string, string>();
  readonly acked = new Set<string>();
  readonly errors: string[] = [];
  /** Connections established after the first: each one a failover. */
  reconnections = 0;
  private connections = 0;
  private socket: ChatSocket | undefined;
  private token: string | undefined;
  private lastSeenId: string | undefined;
  private urlIndex = 0;
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly nickname: string,
    private readonly urls: string[],
    private readonly room: string,
  ) {}

  async connect(): Promise<void> {
    this.ready = this.establish();
    await this.ready;
  }

  /** Sends until acknowledged, across reconnections; the text doubles as the clientId. */
  async send(text: string): Promise<void> {
    for (;;) {
      if (this.closed) throw new Error(`${this.nickname} was closed before "${text}" was acknowledged`);
      await this.ready;
      const socket = this.socket!;
      let ack: Ack<{ message: ChatMessage }> | 'disconnected';
      let onDisconnect = () => {};
      try {
        // The ack means "stored", which can take as long as a storage outage; a lost connection
        // is what calls for a resend.
        ack = await Promise.race([
          socket.timeout(STORED_ACK_TIMEOUT_MS).emitWithAck('message:send', { room: this.room, text, clientId: text }),
          new Promise<'disconnected'>((resolve) => {
            onDisconnect = () => resolve('disconnected');
            socket.once('disconnect', onDisconnect);
          }),
        ]);
      } catch {
        ack = 'disconnected';
      } finally {
        socket.off('disconnect', onDisconnect);
      }
      if (ack === 'disconnected') {
        await sleep(100);
        continue;
      }
      if (ack.ok) {
        this.acked.add(text);
        this.see(ack.message);
        return;
      }
      this.errors.push(ack.error.code);
      if (ack.error.code === 'NO_SESSION' || ack.error.code === 'NOT_IN_ROOM') {
        this.ready = this.resume(socket).catch((error: unknown) => {
          this.errors.push(String(error));
        });
      } else {
        await sleep(ack.error.retryAfterMs ?? 200);
      }
    }
  }

  /** Reads what it missed since the last message it saw. */
  async catchUp(): Promise<void> {
    await this.ready;
    await this.fetchMissed(this.socket!);
  }

  private async fetchMissed(socket: ChatSocket): Promise<void> {
    for (;;) {
      const ack = await fetchHistory(socket, {
        room: this.room,
        limit: 100,
        ...(this.lastSeenId === undefined ? {} : { after: this.lastSeenId }),
      });
      for (const message of ack.messages) this.see(message);
      if (ack.messages.length < 100) return;
    }
  }

  /** The room's whole history, oldest first, paged backwards from the newest. */
  async readWholeHistory(): Promise<ChatMessage[]> {
    await this.ready;
    const pages: ChatMessage[][] = [];
    let before: string | undefined;
    for (;;) {
      const ack = await fetchHistory(this.socket!, {
        room: this.room,
        limit: 100,
        ...(before === undefined ? {} : { before }),
      });
      pages.unshift(ack.messages);
      if (ack.messages.length < 100) return pages.flat();
      before = ack.messages[0]!.id;
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  /**
   * Shows a message once, as the protocol asks of clients: by id, or by sender and clientId (an
   * instance that crashed between delivering and storing makes the resend arrive under a new id).
   */
  private see(message: ChatMessage): void {
    const sent = `${message.from}\n${message.clientId}`;
    const shownAs = this.shownBySender.get(sent);
    if (shownAs !== undefined && shownAs !== message.id) return;
    this.shownBySender.set(sent, message.id);
    this.seen.set(message.id, message);
    if (this.lastSeenId === undefined || message.id > this.lastSeenId) this.lastSeenId = message.id;
  }

  private async establish(): Promise<void> {
    for (;;) {
      const url = this.urls[this.urlIndex % this.urls.length]!;
      const socket: ChatSocket = io(url, { transports: ['websocket'], reconnection: false, timeout: 2000 });
      const connected = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      });
      if (!connected) {
        socket.close();
        this.urlIndex += 1;
        await sleep(200);
        continue;
      }
      socket.on('message', (message) => this.see(message));
      socket.on('disconnect', () => {
        if (this.closed) return;
        this.urlIndex += 1;
        this.ready = this.establish();
      });
      this.socket = socket;
      this.connections += 1;
      this.reconnections = this.connections - 1;
      try {
        await this.resume(socket);
        return;
      } catch {
        socket.close();
        this.urlIndex += 1;
        await sleep(200);
      }
    }
  }

  private async resume(socket: ChatSocket): Promise<void> {
    const session = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('session:start', {
      nickname: this.nickname,
      ...(this.token === undefined ? {} : { session: this.token }),
    });
    if (!session.ok) throw new Error(`session:start failed: ${session.error.code}`);
    this.token = session.session;
    const joined = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { room: this.room });
    if (!joined.ok) throw new Error(`room:join failed: ${joined.error.code}`);
    for (const message of joined.history) this.see(message);
    if (this.lastSeenId !== undefined) await this.fetchMissed(socket);
  }
}
