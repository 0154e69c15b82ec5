import { register } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config/load-config.js';
import { telemetryCredential } from '../identity/credential.js';
import { bindInstruments } from './instruments.js';
import { markTelemetryStarted } from './telemetry-started.js';

/** The cloud role name Application Insights shows; the role instance is the instance id. */
export const SERVICE_NAME = 'WorkerRole1';

export interface Telemetry {
  /** Where telemetry goes: 'application-insights', 'otlp'; empty when it is off. */
  readonly destinations: readonly string[];
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = { destinations: [], shutdown: async () => {} };

/** An unreachable collector must not hold up a stopping instance past its drain deadline. */
const FLUSH_TIMEOUT_MS = 2000;

/**
 * Starts OpenTelemetry when APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT
 * is set, and nothing at all otherwise: no SDK, no hook, no timer, no connection; the
 * instruments and spans the code records then go to the API's no-op implementation.
 *
 * Call it before importing the modules it should observe: instrumentation patches modules as
 * they load (main.ts imports the server after this resolves). `credential` is the process's Entra
 * ID credential, used for ingestion when APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks for it.
 */
export async function startTelemetry(config: Config, credential?: TokenCredential): Promise<Telemetry> {
  const { appInsightsConnectionString, otlpEndpoint } = config;
  if (appInsightsConnectionString === undefined && otlpEndpoint === undefined) return OFF;

  // ES modules (the Azure SDK's among them) can only be instrumented through a loader hook. The
  // hook and the instrumentation that patches must share one copy of import-in-the-middle, which
  // keeps its registry per copy: the role pins @opentelemetry/instrumentation to the line the
  // Azure SDK instrumentation depends on (0.211), not the SDK's newer one.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [{ resources }, { createOtlpExport }, { traceRedisCommands }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('./otlp-export.js'),
    import('./redis-spans.js'),
  ]);
  const resource = resources.resourceFromAttributes({ 'service.name': SERVICE_NAME, 'service.instance.id': config.instanceId });
  const otlp = otlpEndpoint === undefined ? undefined : createOtlpExport(config.otlpProtocol, config.metricExportIntervalMs);

  let stopSdk: () => Promise<void>;
  if (appInsightsConnectionString !== undefined) {
    const { startAzureMonitor } = await import('./azure-monitor.js');
    stopSdk = startAzureMonitor(appInsightsConnectionString, resource, otlp, await telemetryCredential(config, credential));
  } else {
    const { startOtlpOnly } = await import('./otlp-sdk.js');
    stopSdk = startOtlpOnly(resource, otlp!);
  }
  bindInstruments();
  markTelemetryStarted();
  const stopRedisSpans = traceRedisCommands();
  const destinations = [
    ...(appInsightsConnectionString !== undefined ? ['application-insights'] : []),
    ...(otlp ? ['otlp'] : []),
  ];
  return {
    destinations,
    async shutdown() {
      stopRedisSpans();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_TIMEOUT_MS)));
      await Promise.race([stopSdk().catch(() => {}), timeout]);
      clearTimeout(timer);
    },
  };
}
