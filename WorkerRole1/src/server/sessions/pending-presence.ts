import { LIMITS } from '../../shared/protocol.js';
import type { PresenceBatch, PresenceTake } from './session-registry.js';

type Change = { joined: boolean; nickname: string };

/**
 * What a large room's members have not yet heard: who joined and who left since the last
 * `room:presence`. Someone who joined and left in between (or left and came back) cancels out.
 */
export class PendingPresence {
  private readonly rooms = new Map<string, Map<string, Change>>();
  private readonly lastTaken = new Map<string, number>();

  note(room: string, key: string, nickname: string, joined: boolean): void {
    let changes = this.rooms.get(room);
    if (!changes) {
      changes = new Map();
      this.rooms.set(room, changes);
    }
    const earlier = changes.get(key);
    if (earlier && earlier.joined !== joined) changes.delete(key);
    else changes.set(key, { joined, nickname });
  }

  take(room: string, intervalMs: number, now: number, count: number): PresenceTake {
    const changes = this.rooms.get(room);
    if (!changes || changes.size === 0) {
      this.rooms.delete(room);
      return { taken: false };
    }
    const since = now - (this.lastTaken.get(room) ?? -Infinity);
    if (since < intervalMs) return { taken: false, retryInMs: intervalMs - since };
    this.lastTaken.set(room, now);
    this.rooms.delete(room);
    const batch: PresenceBatch = { joined: [], left: [], count };
    for (const { joined, nickname } of changes.values()) {
      const names = joined ? batch.joined : batch.left;
      if (names.length < LIMITS.presenceNamesMax) names.push(nickname);
    }
    return { taken: true, batch };
  }

  forget(room: string): void {
    this.rooms.delete(room);
    this.lastTaken.delete(room);
  }
}
