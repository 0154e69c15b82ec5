import { type ChatSocket, Deadline, connect, describeFailures, localAddressFor, request, runBounded } from './clients.js';

export const ROOM = 'lobby';

export interface JoinedClient {
  socket: ChatSocket;
  /** The server it joined through. */
  url: string;
  nickname: string;
  session: string;
}

export interface JoinStorm {
  clients: JoinedClient[];
  /** From the first connect to the last join ack. */
  seconds: number;
  failed: number;
  /** "n× reason" for every kind of failure, empty when none. */
  failures: string;
}

/**
 * What a new user does: connect, `session:start`, `room:join lobby`; or, with `joinInStart` (what
 * chatapp's browser client sends), `session:start {nickname, join: [lobby]}`, one round trip.
 */
export async function joinOne(url: string, index: number, deadline: Deadline, localAddress?: string, joinInStart = false): Promise<JoinedClient> {
  const socket = await connect(url, localAddress, deadline);
  try {
    const nickname = `u${index}`;
    const started = await request(socket, 'session:start', joinInStart ? { nickname, join: [ROOM] } : { nickname }, deadline);
    if (!started.ok) throw new Error(`session:start: ${started.error.code}`);
    if (joinInStart) {
      const entry = started.joined?.[0];
      if (!entry?.ok) throw new Error(`session:start join: ${entry ? entry.error.code : 'no entry'}`);
    } else {
      const joined = await request(socket, 'room:join', { room: ROOM }, deadline);
      if (!joined.ok) throw new Error(`room:join: ${joined.error.code}`);
    }
    return { socket, url, nickname, session: started.session };
  } catch (error) {
    socket.close();
    throw error;
  }
}

/**
 * `count` clients join one room, at most `concurrency` between connecting and joined at a time.
 * `url` may depend on the client's number (to place clients on given instances). `spread` gives each client its own loopback source address (127.0.0.2-251).
 * `joinInStart`: each client joins in its session:start (chatapp only; the bare servers take two events).
 */
export async function joinStorm(options: { url: string | ((index: number) => string); count: number; concurrency: number; timeoutMs: number; spread: boolean; firstIndex?: number; joinInStart?: boolean }): Promise<JoinStorm> {
  const deadline = new Deadline(options.timeoutMs);
  const clients: JoinedClient[] = [];
  const started = performance.now();
  const first = options.firstIndex ?? 0;
  const outcome = await runBounded(options.count, options.concurrency, deadline, async (index) => {
    const n = first + index;
    const url = typeof options.url === 'string' ? options.url : options.url(n);
    clients.push(await joinOne(url, n, deadline, options.spread ? localAddressFor(n) : undefined, options.joinInStart));
  });
  return {
    clients,
    seconds: (performance.now() - started) / 1000,
    failed: outcome.failed,
    failures: describeFailures(outcome.failures),
  };
}
