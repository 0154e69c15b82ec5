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

/** What a new user does: connect, `session:start`, `room:join lobby`. */
export async function joinOne(url: string, index: number, deadline: Deadline, localAddress?: string): Promise<JoinedClient> {
  const socket = await connect(url, localAddress, deadline);
  try {
    const nickname = `u${index}`;
    const started = await request(socket, 'session:start', { nickname }, deadline);
    if (!started.ok) throw new Error(`session:start: ${started.error.code}`);
    const joined = await request(socket, 'room:join', { room: ROOM }, deadline);
    if (!joined.ok) throw new Error(`room:join: ${joined.error.code}`);
    return { socket, url, nickname, session: started.session };
  } catch (error) {
    socket.close();
    throw error;
  }
}

/**
 * `count` clients join one room, at most `concurrency` between connecting and joined at a time.
 * `url` may depend on the client's number (to place clients on given instances). `spread` gives each client its own loopback source address (127.0.0.2-251).
 */
export async function joinStorm(options: { url: string | ((index: number) => string); count: number; concurrency: number; timeoutMs: number; spread: boolean; firstIndex?: number }): Promise<JoinStorm> {
  const deadline = new Deadline(options.timeoutMs);
  const clients: JoinedClient[] = [];
  const started = performance.now();
  const first = options.firstIndex ?? 0;
  const outcome = await runBounded(options.count, options.concurrency, deadline, async (index) => {
    const n = first + index;
    const url = typeof options.url === 'string' ? options.url : options.url(n);
    clients.push(await joinOne(url, n, deadline, options.spread ? localAddressFor(n) : undefined));
  });
  return {
    clients,
    seconds: (performance.now() - started) / 1000,
    failed: outcome.failed,
    failures: describeFailures(outcome.failures),
  };
}
