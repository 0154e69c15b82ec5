import type { Connection } from './connection.js';
import { roomKey } from './state/conversation.js';
import type { Store } from './state/store.js';

/** Re-announce "still typing" this often while keys keep coming. */
const REPEAT_MS = 2500;
/** Stop after this long without a keystroke. */
const IDLE_MS = 3500;
/** Forget someone's indicator if no update came for this long (their "stop" may be lost). */
const EXPIRE_MS = 6000;

/** Tells the room when we start and stop typing, throttled. */
export class TypingSender {
  private room: string | null = null;
  private lastSent = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly connection: Connection) {}

  /** Called on every edit of the composer; room is null in a DM (the protocol has no DM typing). */
  input(room: string | null, hasText: boolean): void {
    if (room !== this.room) this.stop();
    if (room === null) return;
    if (!hasText) return this.stop();
    const now = Date.now();
    if (this.room === null || now - this.lastSent >= REPEAT_MS) {
      this.room = room;
      this.lastSent = now;
      this.connection.typing(room, true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    if (this.room !== null) this.connection.typing(this.room, false);
    this.room = null;
    this.lastSent = 0;
  }
}

/** Who else is typing in each room, with expiry so a lost "stop" does not stick forever. */
export class TypingTracker {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly store: Store) {}

  update(room: string, nickname: string, typing: boolean): void {
    const conversation = this.store.conversations.get(roomKey(room));
    if (!conversation || this.store.isMe(nickname)) return;
    if (typing) conversation.typing.set(nickname, Date.now() + EXPIRE_MS);
    else conversation.typing.delete(nickname);
    this.store.changed();
    this.schedule();
  }

  names(room: string): string[] {
    const conversation = this.store.conversations.get(roomKey(room));
    if (!conversation) return [];
    const now = Date.now();
    return [...conversation.typing].filter(([, expires]) => expires > now).map(([nickname]) => nickname);
  }

  /** One timer for all indicators: wakes at the next expiry and re-renders. */
  private schedule(): void {
    clearTimeout(this.timer);
    let next = Infinity;
    const now = Date.now();
    for (const conversation of this.store.conversations.values()) {
      for (const [nickname, expires] of conversation.typing) {
        if (expires <= now) conversation.typing.delete(nickname);
        else next = Math.min(next, expires);
      }
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => {
        this.store.changed();
        this.schedule();
      }, next - now + 10);
    }
  }
}
