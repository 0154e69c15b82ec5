/**
 * The members of one room in nickname-key order, for paging and prefix search without sorting a
 * room of thousands on every request. Entries are `key \0 token`: a lapsed session and the new
 * holder of its nickname can both be listed until the sweep removes the first.
 *
 * A sorted array with binary search: inserting shifts the tail (a memmove), which for the room
 * sizes a chat instance holds costs far less than the tree a library would bring.
 */
export class RoomIndex {
  private readonly entries: string[] = [];

  get size(): number {
    return this.entries.length;
  }

  add(key: string, token: string): boolean {
    const entry = indexEntry(key, token);
    const at = this.lowerBound(entry);
    if (this.entries[at] === entry) return false;
    this.entries.splice(at, 0, entry);
    return true;
  }

  remove(key: string, token: string): boolean {
    const entry = indexEntry(key, token);
    const at = this.lowerBound(entry);
    if (this.entries[at] !== entry) return false;
    this.entries.splice(at, 1);
    return true;
  }

  /** Entries from `start` on, as long as they begin with `prefix`, as `[key, token]`. */
  *from(start: string, prefix = ''): Generator<[key: string, token: string]> {
    for (let at = this.lowerBound(start); at < this.entries.length; at++) {
      const entry = this.entries[at]!;
      if (!entry.startsWith(prefix)) return;
      const split = entry.indexOf('\u0000');
      yield [entry.slice(0, split), entry.slice(split + 1)];
    }
  }

  private lowerBound(value: string): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const indexEntry = (key: string, token: string) => `${key}\u0000${token}`;
