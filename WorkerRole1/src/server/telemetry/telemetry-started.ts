/**
 * Whether telemetry started. Until it does, the event wrapper and the log mixin skip the
 * OpenTelemetry API altogether: its no-op calls still look up the global registration and check
 * its version on every call (`bench:telemetry-events`, Node 24: 3.2 µs per event with them, 0.8
 * without, the loop included).
 */
let started = false;

export const telemetryStarted = (): boolean => started;

/** Called once by startTelemetry, after the SDK has registered its providers. */
export function markTelemetryStarted(): void {
  started = true;
}
