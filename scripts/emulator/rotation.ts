import type { Distribution } from './endpoint-distribution.js';

/**
 * Chooses the instance for a new connection among those in rotation, as Azure's load balancer
 * does: sourceIP hashes the client address, so every request of one browser reaches the same
 * instance while the set of healthy instances stays the same (HTTP long-polling needs that);
 * the default spreads connections, here round robin (Azure hashes the 5-tuple, which for one
 * client's successive connections is as good as random).
 */
export class Rotation<T> {
  private next = 0;

  constructor(private readonly distribution: Distribution) {}

  pick(inRotation: readonly T[], clientAddress: string): T | undefined {
    if (inRotation.length === 0) return undefined;
    if (this.distribution === 'default') return inRotation[this.next++ % inRotation.length];
    return inRotation[hashAddress(clientAddress) % inRotation.length];
  }
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one client. */
export function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** FNV-1a over the address: stable across runs and platforms, and spreads neighbouring addresses. */
export function hashAddress(address: string): number {
  let hash = 0x811c9dc5;
  for (const char of normalizeAddress(address)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
