import { TokenBucket } from 'limiter';
import type { ClientEvent } from './types.js';

export interface RateLimits {
  eventRatePerSecond: number;
  eventBurst: number;
  messageRatePerSecond: number;
  messageBurst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number; consecutiveRejections: number };

const MESSAGE_EVENTS: ReadonlySet<string> = new Set<ClientEvent>(['message:send', 'dm:send', 'message:edit', 'message:delete', 'dm:edit', 'dm:delete']);

/**
 * One socket's budget: every event draws on a general bucket, and messages also on a smaller
 * one (edits and deletes too: each is a write and a broadcast), charged together so a refused
 * message costs nothing.
 */
export class SocketRateLimiter {
  private readonly events: TokenBucket;
  private readonly messages: TokenBucket;
  private consecutiveRejections = 0;

  constructor(limits: RateLimits) {
    this.events = fullBucket(limits.eventBurst, limits.eventRatePerSecond);
    this.messages = fullBucket(limits.messageBurst, limits.messageRatePerSecond, this.events);
  }

  check(event: string): RateDecision {
    const bucket = MESSAGE_EVENTS.has(event) ? this.messages : this.events;
    if (bucket.tryRemoveTokens(1)) {
      this.consecutiveRejections = 0;
      return { allowed: true };
    }
    this.consecutiveRejections += 1;
    return {
      allowed: false,
      retryAfterMs: Math.max(1, bucket.getWaitTime(1)),
      consecutiveRejections: this.consecutiveRejections,
    };
  }
}

function fullBucket(size: number, perSecond: number, parentBucket?: TokenBucket): TokenBucket {
  const bucket = new TokenBucket({ bucketSize: size, tokensPerInterval: perSecond, interval: 'second', ...(parentBucket ? { parentBucket } : {}) });
  // A new bucket starts empty; a newly connected client gets its whole burst.
  bucket.content = size;
  return bucket;
}
