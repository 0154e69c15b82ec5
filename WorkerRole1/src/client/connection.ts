import { io, type Socket } from 'socket.io-client';
import { type ClientToServerEvents, type ConnectRefusal, type ErrorCode, type ServerToClientEvents, SIGN_IN_REQUIRED } from '../shared/protocol.js';
import { retryDelay } from './retry-delay.js';
import type { Store } from './state/store.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The events that answer with an ack (typing's ack is optional, so it is sent fire-and-forget). */
export type RequestEvent = Exclude<keyof ClientToServerEvents, 'typing'>;
export type PayloadOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
export type AckOf<E extends RequestEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** Thrown when no answer can come: not connected, the ack timed out, or the connection dropped. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

const REQUEST_TIMEOUT_MS = 8000;
/**
 * Socket.IO's own reconnection after a dropped connection: the first attempt after 0.5-1.5 s,
 * then doubling up to 5 s, each randomised by half, so the clients of an instance that went
 * away spread their return over seconds instead of arriving in the same millisecond.
 */
const RECONNECTION = { reconnectionDelay: 1000, reconnectionDelayMax: 5000, randomizationFactor: 0.5 } as const;

/** How widely the clients of a closing instance spread their return, beyond the backoff. */
const SERVER_CLOSED_SPREAD_MS = 4000;

/** Refusals that mean "not now": the same request succeeds later. */
const WAIT_AND_RETRY: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'STORAGE_UNAVAILABLE']);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Owns the Socket.IO connection: its status in the store, requests with a timeout (a lost ack
 * becomes an error the caller retries, never a hang), and reconnecting after the server itself
 * closed the connection (Socket.IO leaves that case to the application).
 */
export class Connection {
  readonly socket: ChatSocket;
  /** Called when the server says the session is gone although the socket is connected. */
  onSessionLost: (() => void) | undefined;
  /** Called when the server refuses the connection until the person signs in (AUTH_MODE=oidc). */
  onSignInRequired: ((reason: string) => void) | undefined;
  private serverClosedCount = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly store: Store) {
    this.socket = io({ transports: ['websocket', 'polling'], tryAllTransports: true, ...RECONNECTION });
    this.socket.on('connect', () => {
      this.setStatus('connected');
    });
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') this.reconnectLater();
      this.setStatus(this.offlineOrReconnecting());
    });
    this.socket.on('connect_error', (error: Error & { data?: Partial<ConnectRefusal> }) => {
      // Retrying cannot help until the person signs in (a page load after /auth/callback).
      if (error.data?.code === SIGN_IN_REQUIRED) return this.onSignInRequired?.(error.data.message ?? 'Sign in to chat.');
      if (!this.socket.active) this.reconnectLater();
      this.setStatus(this.store.status === 'connecting' ? 'connecting' : this.offlineOrReconnecting());
    });
    this.socket.io.on('reconnect_attempt', () => {
      this.setStatus(this.offlineOrReconnecting());
    });
    window.addEventListener('offline', () => {
      if (!this.socket.connected) this.setStatus('offline');
    });
    window.addEventListener('online', () => {
      if (!this.socket.connected) {
        this.setStatus('reconnecting');
        this.socket.connect();
      }
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Called once a session is up again, so the next server-side close reconnects quickly. */
  settled(): void {
    this.serverClosedCount = 0;
  }

  async request<E extends RequestEvent>(event: E, payload: PayloadOf<E>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<AckOf<E>> {
    // Never let Socket.IO buffer an emit while disconnected: it would reach the server before
    // the session is restored. Callers queue and retry instead.
    if (!this.socket.connected) throw new NoAnswerError('not connected');
    const timed = this.socket.timeout(timeoutMs);
    const emitWithAck = timed.emitWithAck as unknown as (event: E, payload: PayloadOf<E>) => Promise<AckOf<E>>;
    let ack: AckOf<E>;
    try {
      ack = await emitWithAck.call(timed, event, payload);
    } catch (error) {
      throw new NoAnswerError(error instanceof Error ? error.message : String(error));
    }
    if (!ack.ok && ack.error.code === 'NO_SESSION' && event !== 'session:start') this.onSessionLost?.();
    return ack;
  }

  /**
   * A request that is safe to repeat (join, leave, history, members): waits out RATE_LIMITED and
   * STORAGE_UNAVAILABLE (at least `retryAfterMs`, plus jitter) and repeats after a lost ack while
   * still connected. Failures other than those come back as the ack.
   */
  async call<E extends RequestEvent>(event: E, payload: PayloadOf<E>, attempts = 4): Promise<AckOf<E>> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const ack = await this.request(event, payload);
        if (ack.ok || !WAIT_AND_RETRY.has(ack.error.code) || attempt >= attempts) return ack;
        await sleep(retryDelay(ack.error.retryAfterMs, 1000));
      } catch (error) {
        if (!(error instanceof NoAnswerError) || !this.socket.connected || attempt >= attempts) throw error;
      }
    }
  }

  /**
   * Fire-and-forget, dropped when disconnected (typing indicators are only useful live). Not
   * `volatile`: that drops the packet whenever the transport is busy, and "started typing" is
   * sent only once per few seconds.
   */
  typing(room: string, typing: boolean): void {
    if (this.socket.connected) this.socket.emit('typing', { room, typing });
  }

  private offlineOrReconnecting(): 'offline' | 'reconnecting' {
    return navigator.onLine === false ? 'offline' : 'reconnecting';
  }

  /**
   * After the server closed the connection (draining, restart), come back with a backoff: the
   * first time within 1-5 s. A draining instance closes all its clients at once, and they must
   * not all arrive at the others in the same instant.
   */
  private reconnectLater(): void {
    if (this.reconnectTimer !== undefined) return;
    this.serverClosedCount += 1;
    const base = Math.min(30_000, 1000 * 2 ** Math.min(this.serverClosedCount - 1, 5));
    const delay = base + Math.random() * SERVER_CLOSED_SPREAD_MS;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.socket.connected) this.socket.connect();
    }, delay);
  }

  private setStatus(status: Store['status']): void {
    if (this.store.status === status) return;
    this.store.status = status;
    this.store.changed();
  }
}
