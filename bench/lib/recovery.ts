import { type ChatSocket, Deadline, TimedOut, connect, request, sleep } from './clients.js';
import type { JoinedClient } from './join.js';
import type { Receiver } from './ledger.js';
import { catchUpStart } from '../../WorkerRole1/src/shared/catch-up-start.js';

/**
 * The browser client's delays after a lost connection (docs/protocol.md), Socket.IO's backoff:
 * 1 s doubling per attempt up to 5 s, each randomised by half (the first 0.5-1.5 s).
 */
const DELAY_MS = 1000;
const DELAY_MAX_MS = 5000;
const RANDOMISATION = 0.5;

function backoff(attempt: number): number {
  const base = Math.min(DELAY_MAX_MS, DELAY_MS * 2 ** attempt);
  return base * (1 - RANDOMISATION + 2 * RANDOMISATION * Math.random());
}
const HISTORY_PAGE = 100;

export interface Recovery {
  /** ms after the crash when the socket was connected again, and when the client was in its rooms and caught up. */
  connectedMs: number | undefined;
  recoveredMs: number | undefined;
  /** The server did not list the rooms in the session:start ack, so the client sent room:join. */
  usedRoomJoin: boolean;
  attempts: number;
  errors: string[];
}

/**
 * What a client does when its instance dies: wait a randomised backoff, connect to a surviving instance
 * (as the balancer would send it), resume with `session:start {session}`, and fetch only what it
 * missed with `history:fetch {after}` (from the protocol's margin before the last id it saw). Falls back to `room:join` when the ack does not list the
 * room in `rooms`. Retries the whole sequence with backoff until the deadline.
 */
export async function recover(
  client: JoinedClient,
  receiver: Receiver,
  room: string,
  survivorUrl: string,
  localAddress: string | undefined,
  crashedAt: number,
  deadline: Deadline,
): Promise<Recovery> {
  const recovery: Recovery = { connectedMs: undefined, recoveredMs: undefined, usedRoomJoin: false, attempts: 0, errors: [] };
  // The catch-up starts after the last message seen before the crash: live messages that arrive
  // once the socket is back are newer than the gap and must not move this cursor.
  const lastBeforeCrash = receiver.lastSeenId;
  while (!deadline.passed) {
    await sleep(Math.min(backoff(recovery.attempts), deadline.remainingMs));
    recovery.attempts += 1;
    let socket: ChatSocket | undefined;
    try {
      socket = await connect(survivorUrl, localAddress, deadline);
      recovery.connectedMs ??= Date.now() - crashedAt;
      socket.on('message', receiver.see);
      await resume(socket, client, receiver, room, lastBeforeCrash, recovery, deadline);
      client.socket = socket;
      recovery.recoveredMs = Date.now() - crashedAt;
      return recovery;
    } catch (error) {
      recovery.errors.push(error instanceof TimedOut ? 'timeout' : error instanceof Error ? error.message : String(error));
      socket?.close();
    }
  }
  return recovery;
}

async function resume(
  socket: ChatSocket,
  client: JoinedClient,
  receiver: Receiver,
  room: string,
  lastBeforeCrash: string | undefined,
  recovery: Recovery,
  deadline: Deadline,
): Promise<void> {
  const started = await request(socket, 'session:start', { nickname: client.nickname, session: client.session }, deadline);
  if (!started.ok) throw new Error(`session:start: ${started.error.code}`);
  client.session = started.session;
  const resumed = Array.isArray(started.rooms) && started.rooms.some((summary) => summary.room === room);
  if (!resumed) {
    recovery.usedRoomJoin = true;
    const joined = await request(socket, 'room:join', { room }, deadline);
    if (!joined.ok) throw new Error(`room:join: ${joined.error.code}`);
    for (const message of joined.history) receiver.see(message);
  }
  // As the browser does (docs/protocol.md, History): from a margin before the last id seen.
  let after = lastBeforeCrash === undefined ? undefined : catchUpStart(lastBeforeCrash);
  for (;;) {
    const page = await request(socket, 'history:fetch', { room, limit: HISTORY_PAGE, ...(after === undefined ? {} : { after }) }, deadline);
    if (!page.ok) throw new Error(`history:fetch: ${page.error.code}`);
    for (const message of page.messages) receiver.see(message);
    if (page.messages.length < HISTORY_PAGE || after === undefined) return;
    after = page.messages.at(-1)!.id;
  }
}
