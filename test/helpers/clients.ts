import assert from 'node:assert/strict';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  ErrorBody,
  ErrorCode,
  ServerToClientEvents,
} from '../../WorkerRole1/src/shared/protocol.js';

/**
 * socket.io-client helpers for the integration tests: connect, call an event and await its ack,
 * await or record server events, all with timeouts so that a missing answer fails the test
 * instead of hanging it. Every client made here is remembered; `closeClients()` (in after or
 * afterEach) closes them all.
 */

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ClientOptions = Partial<ManagerOptions & SocketOptions>;
export type ServerEvent = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];
export type ClientEvent = keyof ClientToServerEvents;
export type ClientPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
export type AckOf<E extends ClientEvent> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

export const TIMEOUT_MS = 2000;

const openClients = new Set<Socket>();

/** Loose view of a socket, for sending what the typed event map forbids (the point of many tests). */
type LooseSocket = Socket<Record<string, (...args: never[]) => void>, Record<string, (...args: unknown[]) => void>>;
const loose = (socket: ChatClient | Socket) => socket as unknown as LooseSocket;

/** A client that is not yet connected: websocket only, no reconnection, unless options say otherwise. */
export function createClient(url: string, options: ClientOptions = {}): ChatClient {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: TIMEOUT_MS, ...options });
  openClients.add(socket);
  return socket as ChatClient;
}

export async function connectClient(url: string, options: ClientOptions = {}): Promise<ChatClient> {
  const socket = createClient(url, options);
  await waitForConnect(socket);
  return socket;
}

export function waitForConnect(socket: ChatClient, timeoutMs = TIMEOUT_MS): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no connect within ${timeoutMs} ms`)), timeoutMs);
    const onConnect = () => done();
    const onError = (error: Error) => done(new Error(`connect_error: ${error.message}`));
    function done(error?: Error) {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (error) reject(error);
      else resolve();
    }
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** Resolves with the connect_error of a connection the server must refuse; rejects if it connects. */
export function expectConnectError(url: string, options: ClientOptions = {}, timeoutMs = TIMEOUT_MS): Promise<Error> {
  const socket = createClient(url, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`neither connect nor connect_error within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => {
      clearTimeout(timer);
      reject(new Error('the connection was accepted'));
    });
    socket.on('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      resolve(error);
    });
  });
}

export function closeClients(): void {
  for (const socket of openClients) socket.close();
  openClients.clear();
}

/** Emits an event with an ack and resolves with the ack; rejects when none comes in time. */
export function request<E extends ClientEvent>(
  socket: ChatClient,
  event: E,
  payload: ClientPayload<E>,
  timeoutMs = TIMEOUT_MS,
): Promise<AckOf<E>> {
  return loose(socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<AckOf<E>>;
}

/** Emits anything (any name, any arguments) with an ack as the last argument. */
export function rawRequest(socket: ChatClient, event: string, args: unknown[], timeoutMs = TIMEOUT_MS): Promise<Ack<Record<string, unknown>>> {
  return loose(socket).timeout(timeoutMs).emitWithAck(event, ...args) as Promise<Ack<Record<string, unknown>>>;
}

/** Emits anything without an ack. */
export function rawEmit(socket: ChatClient, event: string, ...args: unknown[]): void {
  loose(socket).emit(event, ...args);
}

/** The success body of an ack; fails the test with the error when the ack is an error. */
export function okValue<T extends object>(ack: Ack<T>): { ok: true } & T {
  if (!ack.ok) assert.fail(`expected an ok ack, got ${JSON.stringify(ack)}`);
  return ack;
}

/** The error body of an ack; fails the test when the ack is ok or the code differs. */
export function errorOf(ack: Ack<object>, code?: ErrorCode): ErrorBody {
  if (ack.ok) assert.fail(`expected an error ack${code ? ` ${code}` : ''}, got ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error.message, 'string');
  if (code !== undefined) assert.equal(ack.error.code, code, `error: ${JSON.stringify(ack.error)}`);
  return ack.error;
}

/**
 * A round trip through the server: anything the server sent this socket before handling it has
 * arrived when this resolves (one connection keeps order). Used before asserting that an event
 * did NOT arrive. Costs one event of the socket's rate budget.
 */
export async function flush(socket: ChatClient): Promise<void> {
  const ack = await rawRequest(socket, 'test:flush', [{}]);
  assert.equal(ack.ok, false);
}

/** Resolves with the next `event` (that passes `filter`), or rejects after the timeout. */
export function nextEvent<E extends ServerEvent>(
  socket: ChatClient,
  event: E,
  options: { timeoutMs?: number; filter?: (payload: ServerEventPayload<E>) => boolean } = {},
): Promise<ServerEventPayload<E>> {
  const { timeoutMs = TIMEOUT_MS, filter } = options;
  const target = loose(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener as never);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(payload: ServerEventPayload<E>) {
      if (filter && !filter(payload)) return;
      clearTimeout(timer);
      target.off(event, listener as never);
      resolve(payload);
    }
    target.on(event, listener as never);
  });
}

/** Every `event` the socket receives from now on, in order. */
export function record<E extends ServerEvent>(socket: ChatClient, event: E): Array<ServerEventPayload<E>> {
  const seen: Array<ServerEventPayload<E>> = [];
  loose(socket).on(event, ((payload: ServerEventPayload<E>) => seen.push(payload)) as never);
  return seen;
}

/** Resolves with the disconnect reason, or rejects after the timeout. */
export function nextDisconnect(socket: ChatClient, timeoutMs = TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected && !socket.active) {
      resolve('already disconnected');
      return;
    }
    const timer = setTimeout(() => reject(new Error(`no disconnect within ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SessionClient {
  socket: ChatClient;
  nickname: string;
  session: string;
}

/** Connects and starts a session; `session` presents an earlier token (another tab, a reconnect). */
export async function startSession(
  url: string,
  nickname: string,
  options: { session?: string; client?: ClientOptions } = {},
): Promise<SessionClient> {
  const socket = await connectClient(url, options.client);
  const payload = options.session === undefined ? { nickname } : { nickname, session: options.session };
  const started = okValue(await request(socket, 'session:start', payload));
  return { socket, nickname: started.nickname, session: started.session };
}

export async function joinRoom(socket: ChatClient, room: string) {
  return okValue(await request(socket, 'room:join', { room }));
}

let clientIdCounter = 0;
export const newClientId = () => `c${process.pid}-${++clientIdCounter}`;

export async function sendMessage(socket: ChatClient, room: string, text: string, clientId = newClientId()) {
  return okValue(await request(socket, 'message:send', { room, text, clientId })).message;
}
