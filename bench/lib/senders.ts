import type { ChatMessage } from '../../WorkerRole1/src/shared/protocol.js';
import { Deadline, TimedOut, request, sleep } from './clients.js';
import type { JoinedClient } from './join.js';

/** A send not acknowledged within this is sent again, with the same clientId. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** After `stop()`, how long messages still unacknowledged keep being resent before they count as never acknowledged. */
const STOP_GRACE_MS = 30_000;

export interface SendingStats {
  sent: number;
  acked: number;
  /** Sends that needed more than one attempt. */
  resent: number;
  /** Error codes and timeouts seen, with their counts. */
  errors: Map<string, number>;
  /** Messages still unacknowledged when sending gave up. */
  unacked: number;
  /** Times a sender, still connected, had to start its session again or rejoin the room (NO_SESSION, NOT_IN_ROOM). */
  restored: number;
}

/**
 * Messages into `room` at `perSecond` from one timer, rotating over `senders`. Each message is
 * sent until acknowledged: after an error or no answer, again with the same clientId, as the
 * protocol asks. `stop()` ends the timer and waits (at most 30 s, and not past the deadline) for
 * every message's ack.
 */
export function startSending(senders: JoinedClient[], room: string, perSecond: number, onAck: (message: ChatMessage) => void, deadline: Deadline) {
  const stats: SendingStats = { sent: 0, acked: 0, resent: 0, errors: new Map(), unacked: 0, restored: 0 };
  let giveUp = deadline;
  const inFlight: Promise<void>[] = [];
  const restoring = new Map<JoinedClient, Promise<void>>();
  const count = (reason: string) => stats.errors.set(reason, (stats.errors.get(reason) ?? 0) + 1);

  // What the browser client does on NO_SESSION or NOT_IN_ROOM: session:start with its token, rejoin, then resend. One at a time per sender.
  const restore = (sender: JoinedClient): Promise<void> => {
    const already = restoring.get(sender);
    if (already) return already;
    const pending = (async () => {
      stats.restored += 1;
      const attemptDeadline = new Deadline(Math.min(ATTEMPT_TIMEOUT_MS, giveUp.remainingMs));
      const started = await request(sender.socket, 'session:start', { nickname: sender.nickname, session: sender.session }, attemptDeadline);
      if (!started.ok) throw new Error(`session:start: ${started.error.code}`);
      sender.session = started.session;
      if (started.rooms.some((summary) => summary.room === room)) return;
      const joined = await request(sender.socket, 'room:join', { room }, attemptDeadline);
      if (!joined.ok) throw new Error(`room:join: ${joined.error.code}`);
    })()
      .catch((error: unknown) => void count(`restoring the session: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => restoring.delete(sender));
    restoring.set(sender, pending);
    return pending;
  };

  const sendUntilAcked = async (sender: JoinedClient, clientId: string) => {
    for (let attempt = 1; !giveUp.passed; attempt += 1) {
      if (attempt === 2) stats.resent += 1;
      const attemptDeadline = new Deadline(Math.min(ATTEMPT_TIMEOUT_MS, giveUp.remainingMs));
      try {
        const ack = await request(sender.socket, 'message:send', { room, text: `storm ${clientId}`, clientId }, attemptDeadline);
        if (ack.ok) {
          stats.acked += 1;
          onAck(ack.message);
          return;
        }
        count(ack.error.code);
        if (ack.error.code === 'NO_SESSION' || ack.error.code === 'NOT_IN_ROOM') await restore(sender);
        else await sleep(ack.error.retryAfterMs ?? 200);
      } catch (error) {
        count(error instanceof TimedOut ? 'no ack within 10 s' : String(error));
      }
    }
    stats.unacked += 1;
  };

  let n = 0;
  const timer = setInterval(() => {
    const sender = senders[n % senders.length]!;
    inFlight.push(sendUntilAcked(sender, `${sender.nickname}-m${n}`));
    n += 1;
    stats.sent = n;
  }, 1000 / perSecond);

  return {
    stats,
    async stop(): Promise<SendingStats> {
      clearInterval(timer);
      giveUp = new Deadline(Math.min(STOP_GRACE_MS, deadline.remainingMs));
      await Promise.all(inFlight);
      return stats;
    },
  };
}
