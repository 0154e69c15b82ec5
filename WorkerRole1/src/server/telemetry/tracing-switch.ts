/**
 * Whether telemetry started. With it off, the event wrapper and the log mixin skip the
 * OpenTelemetry API altogether: its no-op calls still look up the global registration and check
 * its version on every call, which a profile of a 3000-join storm put at 70-119 ms per instance.
 */
let started = false;

export const telemetryStarted = (): boolean => started;

/** Called once by startTelemetry, after the SDK has registered its providers. */
export function markTelemetryStarted(): void {
  started = true;
}
