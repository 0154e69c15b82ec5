import type { Attributes, Meter } from '@opentelemetry/api';

/**
 * A counter summed in this process and handed to OpenTelemetry only when its reader collects (an
 * observable counter), for the counts bumped on every message. A synchronous counter hashes its
 * attribute set on every `add` (sort and serialise the keys, look up the series): in a profile of
 * `npm run bench:telemetry` that, for a few counters per message, was telemetry's largest cost.
 * Here an `add` is a map lookup on a key the caller already has, and the attribute object is made
 * once per series.
 */
export class Tally {
  private readonly series = new Map<string, { attributes: Attributes; value: number }>();

  constructor(
    private readonly name: string,
    private readonly description: string,
    private readonly unit: string,
  ) {}

  /** `key` names the series (the attribute values joined); `attributes` is called for a new one only. */
  add(key: string, attributes: () => Attributes): void {
    const series = this.series.get(key);
    if (series) series.value += 1;
    else this.series.set(key, { attributes: attributes(), value: 1 });
  }

  /** Reports the sums through `meter` from now on (each meter provider's reader asks for them). */
  observeWith(meter: Meter): void {
    meter
      .createObservableCounter(this.name, { description: this.description, unit: this.unit })
      .addCallback((result) => {
        for (const { attributes, value } of this.series.values()) result.observe(value, attributes);
      });
  }
}
