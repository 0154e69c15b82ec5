/**
 * The part of a room's member list loaded so far: nicknames sorted ignoring case, from the first
 * one up to the last one a page brought (or all of them once the last page came). Joins and
 * leaves adjust it in place: a name that sorts inside the loaded part is inserted where it
 * belongs, one that sorts after it is left to the page that will bring it. Every operation is a
 * binary search plus one splice, so a presence event costs the names it carries, not the room.
 */

/** The server's uniqueness and sort key: nicknames that differ only by case share it. */
export function memberKey(nickname: string): string {
  return nickname.toUpperCase().toLowerCase().normalize('NFKC');
}

type Heard = { kind: 'joined' | 'left'; name: string };

export class MemberPages {
  private readonly names: string[] = [];
  private readonly keys: string[] = [];
  /** The key of the last name a page brought: every member up to it is loaded. */
  private boundary: string | undefined;
  /** What the next page asks for as `after` (a member key); undefined once the end is loaded. */
  private after: string | undefined;
  private heardWhileLoading: Heard[] = [];
  complete = false;
  loading = false;
  /** Why the last page could not be loaded; cleared by the next attempt. */
  error: string | undefined;
  /** Bumped by every change, so a view redraws only when something changed. */
  version = 0;

  /** With a prefix (as a member key), only the names starting with it belong here: a search. */
  constructor(readonly prefixKey = '') {}

  get size(): number {
    return this.names.length;
  }

  at(index: number): string | undefined {
    return this.names[index];
  }

  items(): readonly string[] {
    return this.names;
  }

  /** The `after` of the next page, or undefined when nothing more is to be loaded. */
  get cursor(): string | undefined {
    return this.complete ? undefined : this.after;
  }

  /** Where a name is in the list, or -1. */
  indexOf(name: string): number {
    const key = memberKey(name);
    const index = this.search(key);
    return this.keys[index] === key ? index : -1;
  }

  /** A page is on its way: joins and leaves heard until it arrives are applied again after it. */
  beginLoad(): void {
    this.loading = true;
    this.error = undefined;
    this.heardWhileLoading = [];
    this.version += 1;
  }

  failLoad(error: string): void {
    this.loading = false;
    this.error = error;
    this.heardWhileLoading = [];
    this.version += 1;
  }

  /**
   * Starts over from a first page. `next` is the server's cursor after it, `null` when the page
   * holds everyone, or undefined when more exist and the page's last name is the cursor (a
   * room:join answer). `pinned` is a name the server adds to a first page whatever its position
   * (the caller's own, in a room:join answer): it does not prove the names before it are loaded.
   */
  reset(names: readonly string[], next: string | null | undefined, pinned?: string): void {
    this.names.length = 0;
    this.keys.length = 0;
    this.boundary = undefined;
    this.after = undefined;
    this.complete = false;
    const more = next !== null;
    const pinnedKey = pinned === undefined ? undefined : memberKey(pinned);
    this.merge(more && pinnedKey !== undefined ? names.filter((name) => memberKey(name) !== pinnedKey) : names, next);
    if (pinned !== undefined && pinnedKey !== undefined && more && names.some((name) => memberKey(name) === pinnedKey)) {
      this.insert(pinned, pinnedKey);
    }
    this.finishLoad();
  }

  /** Merges the page that followed `cursor`; `next` is the server's cursor after it, if any. */
  addPage(names: readonly string[], next: string | undefined): void {
    this.merge(names, next ?? null);
    this.finishLoad();
  }

  /** Someone joined: added if their name sorts inside the loaded part. True when added. */
  joined(name: string): boolean {
    const key = memberKey(name);
    if (!key.startsWith(this.prefixKey)) return false;
    if (this.loading) this.heardWhileLoading.push({ kind: 'joined', name });
    if (!this.covers(key)) return false;
    return this.insert(name, key);
  }

  /** Someone left: removed if loaded. True when removed. */
  left(name: string): boolean {
    const key = memberKey(name);
    if (!key.startsWith(this.prefixKey)) return false;
    if (this.loading) this.heardWhileLoading.push({ kind: 'left', name });
    const index = this.search(key);
    if (this.keys[index] !== key) return false;
    this.names.splice(index, 1);
    this.keys.splice(index, 1);
    this.version += 1;
    return true;
  }

  /** True when every member whose key sorts at or before `key` is loaded. */
  covers(key: string): boolean {
    return this.complete || (this.boundary !== undefined && key <= this.boundary);
  }

  /** `next`: the server's cursor after these names; null means this was the last page. */
  private merge(names: readonly string[], next: string | undefined | null): void {
    let last: string | undefined;
    for (const name of names) {
      const key = memberKey(name);
      if (!key.startsWith(this.prefixKey)) continue;
      this.insert(name, key);
      if (last === undefined || key > last) last = key;
    }
    if (last !== undefined && (this.boundary === undefined || last > this.boundary)) this.boundary = last;
    if (next === null) this.complete = true;
    // A cursor is a member key, as the server's `next` is.
    else this.after = next ?? last ?? this.after;
  }

  private finishLoad(): void {
    this.loading = false;
    this.error = undefined;
    const heard = this.heardWhileLoading;
    this.heardWhileLoading = [];
    // The page may have been read before or after these: applying them again settles both cases.
    for (const { kind, name } of heard) {
      if (kind === 'joined') this.joined(name);
      else this.left(name);
    }
    this.version += 1;
  }

  private insert(name: string, key: string): boolean {
    const index = this.search(key);
    if (this.keys[index] === key) return false;
    this.names.splice(index, 0, name);
    this.keys.splice(index, 0, key);
    this.version += 1;
    return true;
  }

  /** The first index whose key is not below `key`. */
  private search(key: string): number {
    const { keys } = this;
    // Pages and most joins land at the end: check there before bisecting.
    const lastKey = keys[keys.length - 1];
    if (lastKey === undefined || lastKey < key) return keys.length;
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((keys[middle] ?? '') < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
