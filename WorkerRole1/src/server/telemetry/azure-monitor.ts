import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import type { TokenCredential } from '@azure/identity';
import type { resources } from '@opentelemetry/sdk-node';
import type { OtlpExport } from './otlp-export.js';

/**
 * Application Insights through Microsoft's distribution: its exporter, live metrics, standard
 * metrics and the HTTP and Azure SDK instrumentations. The database instrumentations it also
 * carries are off: the role talks to no such database, and node-redis v6 is traced by
 * redis-spans.ts instead. Returns the shutdown, which flushes what is buffered.
 *
 * With a credential, ingestion (and live metrics) authenticate with an Entra ID token for
 * https://monitor.azure.com, as a resource with local authentication disabled requires; the
 * connection string then only says where to send.
 */
export function startAzureMonitor(
  connectionString: string,
  resource: resources.Resource,
  otlp: OtlpExport | undefined,
  credential: TokenCredential | undefined,
): () => Promise<void> {
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) },
    resource,
    enableLiveMetrics: true,
    enableStandardMetrics: true,
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
      console: { enabled: false },
    },
    ...(otlp ? { spanProcessors: [otlp.spanProcessor], metricReaders: [otlp.metricReader] } : {}),
  });
  return async () => {
    await shutdownAzureMonitor();
  };
}
