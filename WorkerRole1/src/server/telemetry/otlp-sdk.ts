import { AzureSdkInstrumentation } from '@azure/opentelemetry-instrumentation-azure-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK, type resources } from '@opentelemetry/sdk-node';
import type { OtlpExport } from './otlp-export.js';

/**
 * OTLP alone (no Application Insights): the plain OpenTelemetry SDK with the same HTTP and Azure
 * SDK instrumentations the distribution uses. The sampler follows OTEL_TRACES_SAMPLER (default:
 * every trace). Returns the shutdown, which flushes what is buffered.
 */
export function startOtlpOnly(resource: resources.Resource, otlp: OtlpExport): () => Promise<void> {
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [otlp.spanProcessor],
    metricReaders: [otlp.metricReader],
    instrumentations: [new HttpInstrumentation(), new AzureSdkInstrumentation()],
  });
  sdk.start();
  return () => sdk.shutdown();
}
