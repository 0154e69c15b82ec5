import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import type { Resource } from '@opentelemetry/resources';
import type { OtlpExport } from './otlp-export.js';

/**
 * Application Insights through Microsoft's distribution: its exporter, live metrics, standard
 * metrics and the HTTP and Azure SDK instrumentations. The database instrumentations it also
 * carries are off: the role talks to no such database, and node-redis v6 is traced by
 * redis-spans.ts instead. Returns the shutdown, which flushes what is buffered.
 */
export function startAzureMonitor(connectionString: string, resource: Resource, otlp: OtlpExport | undefined): () => Promise<void> {
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
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
    },
    ...(otlp ? { spanProcessors: [otlp.spanProcessor], metricReaders: [otlp.metricReader] } : {}),
  });
  return async () => {
    await shutdownAzureMonitor();
  };
}
