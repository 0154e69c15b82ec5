import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { metrics, tracing } from '@opentelemetry/sdk-node';

export interface OtlpExport {
  spanProcessor: tracing.BatchSpanProcessor;
  metricReader: metrics.PeriodicExportingMetricReader;
}

/**
 * Span and metric export over OTLP/HTTP. The endpoint, per-signal endpoints, headers, timeout and
 * compression are read from the standard OTEL_EXPORTER_OTLP_* variables by the exporters
 * themselves: the one place where something besides config/ reads the environment, by design of
 * the OpenTelemetry specification (the values were validated by loadConfig all the same).
 */
export function createOtlpExport(protocol: 'http/protobuf' | 'http/json', exportIntervalMs: number): OtlpExport {
  const json = protocol === 'http/json';
  return {
    spanProcessor: new tracing.BatchSpanProcessor(json ? new JsonTraceExporter() : new ProtobufTraceExporter()),
    metricReader: new metrics.PeriodicExportingMetricReader({
      exporter: json ? new JsonMetricExporter() : new ProtobufMetricExporter(),
      exportIntervalMillis: exportIntervalMs,
      exportTimeoutMillis: Math.min(30_000, exportIntervalMs),
    }),
  };
}
