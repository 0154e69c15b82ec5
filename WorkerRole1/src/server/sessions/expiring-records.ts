/**
 * Short-lived values under random ids, for the memory registry: the sign-ins and sign-ins in
 * progress (auth/sign-in-records.ts). A value is gone once its time is up, whether or not a sweep
 * has removed it yet.
 */
export class ExpiringRecords {
  private readonly records = new Map<string, { value: string; expiresAt: number }>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number) {}

  put(id: string, value: string, ttlMs: number): void {
    const now = this.now();
    // Swept now and then on writes, so that records nobody reads again do not pile up.
    if (now >= this.nextSweepAt) {
      for (const [key, record] of this.records) if (record.expiresAt <= now) this.records.delete(key);
      this.nextSweepAt = now + 60_000;
    }
    this.records.set(id, { value, expiresAt: now + ttlMs });
  }

  get(id: string): string | undefined {
    const record = this.records.get(id);
    return record && record.expiresAt > this.now() ? record.value : undefined;
  }

  take(id: string): string | undefined {
    const value = this.get(id);
    this.records.delete(id);
    return value;
  }
}
