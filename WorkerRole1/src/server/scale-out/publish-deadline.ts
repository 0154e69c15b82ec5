import { setMaxListeners } from 'node:events';

/** A broadcast that did not reach Redis in time: the other instances have not got it, and will not from this attempt. */
export class BroadcastUnpublishedError extends Error {
  override name = 'BroadcastUnpublishedError';
}

/**
 * Publishes started within one slice of time share an abort signal and a single deadline check,
 * so that a publish costs no timer of its own (node-redis's per-command AbortSignal.timeout cost
 * about 20 µs of CPU each: its timer fires 5 s after the reply and builds a DOMException).
 */
interface Slice {
  controller: AbortController;
  /** performance.now() after which publishes start a new slice. */
  closesAt: number;
  outstanding: number;
  /** Rejects if any publish of the slice is still outstanding at the slice's deadline. */
  expired: Promise<never>;
  expire(): void;
}

const SLICE_MS = 250;

/**
 * Fails publishes that have not completed `deadlineMs` (up to `deadlineMs` + 250 ms) after they
 * started, and withdraws those still queued in the client (Redis down: node-redis holds them in
 * its offline queue), so that nothing left over is sent once Redis returns and the queue cannot
 * grow through an outage. A publish already written to a Redis that froze cannot be withdrawn:
 * it fails here all the same and Redis applies it when it answers again.
 */
export class PublishDeadline {
  private slice: Slice | undefined;

  constructor(private readonly deadlineMs: number) {}

  publish<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const now = performance.now();
    const slice = this.slice !== undefined && now < this.slice.closesAt ? this.slice : this.openSlice(now);
    slice.outstanding += 1;
    const sent = send(slice.controller.signal);
    const settle = () => {
      slice.outstanding -= 1;
    };
    sent.then(settle, settle);
    // A connection lost with the command on it fails it at once: unpublished all the same.
    const failed = sent.catch((error: unknown) => {
      throw new BroadcastUnpublishedError(`Redis did not take the broadcast: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    return Promise.race([failed, slice.expired]);
  }

  private openSlice(now: number): Slice {
    const controller = new AbortController();
    // Every publish queued while Redis is away listens to it: no leak, however many.
    setMaxListeners(0, controller.signal);
    let expire!: () => void;
    const expired = new Promise<never>((_, reject) => {
      expire = () => reject(new BroadcastUnpublishedError(`Redis did not take the broadcast within ${this.deadlineMs} ms`));
    });
    // Nobody may be racing it any more when it expires.
    expired.catch(() => undefined);
    const slice: Slice = { controller, closesAt: now + SLICE_MS, outstanding: 0, expired, expire };
    this.slice = slice;
    setTimeout(() => {
      if (slice.outstanding === 0) return;
      slice.expire();
      controller.abort(new BroadcastUnpublishedError('withdrawn: past its deadline'));
    }, SLICE_MS + this.deadlineMs).unref();
    return slice;
  }
}
