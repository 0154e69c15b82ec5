import { z } from 'zod';

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host only: tokens and the client secret never cross a network in clear. */
const issuerUrl = z
  .url({ protocol: /^https?$/, error: 'expected the issuer URL, https://login.microsoftonline.com/<tenant>/v2.0' })
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  }, 'an http:// issuer is accepted on a loopback host only (localhost, 127.0.0.1, [::1]); use https://')
  .transform((value) => value.replace(/\/+$/, ''));

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((origin) => new URL(origin).origin)));

/**
 * Every environment variable the role reads, with its default. This is the one list that
 * the README's configuration table, the csdef's Runtime/Environment and the validator agree on.
 */
export const SETTINGS = {
  PORT: integer(1, 65535).default(8080),
  HOST: z.string().min(1).optional(),
  INSTANCE_ID: z.string().min(1).max(64).optional(),
  LOG_LEVEL: logLevel.default('info'),
  ALLOWED_ORIGINS: originList.default([]),
  SESSION_GRACE_MS: integer(0, 600_000).default(30_000),
  SESSION_LEASE_MS: integer(2000, 600_000).default(45_000),
  PRESENCE_INDIVIDUAL_MAX: integer(0, 100_000).default(50),
  PRESENCE_INTERVAL_MS: integer(100, 60_000).default(1000),
  MESSAGE_RATE_PER_SECOND: z.coerce.number().positive().max(1000).default(5),
  MESSAGE_BURST: integer(1, 1000).default(10),
  EVENT_RATE_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
  EVENT_BURST: integer(1, 1000).default(40),
  FLOOD_DISCONNECT_AFTER: integer(1, 10_000).default(30),
  MAX_PAYLOAD_BYTES: integer(1024, 1_048_576).default(32_768),
  HISTORY_MAX_PER_ROOM: integer(50, 100_000).default(1000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 9000).default(8000),
  STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  // Tokens travel only over TLS: the Azure SDK's bearer policy refuses http:// anyway.
  STORAGE_TABLE_ENDPOINT: z
    .url({ protocol: /^https$/, error: 'expected https://<account>.table.core.windows.net (or an Azurite https://127.0.0.1:<port>/devstoreaccount1)' })
    .transform((endpoint) => endpoint.replace(/\/+$/, ''))
    .optional(),
  HISTORY_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a table name is 3-63 letters and digits, starting with a letter')
    .default('chatmessages'),
  HISTORY_RETENTION_DAYS: integer(0, 36_500).default(30),
  HISTORY_WRITE_QUEUE_MAX: integer(1, 1_000_000).default(1000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected redis://host:port or rediss://host:port' }).optional(),
  REDIS_AUTH: z.enum(['key', 'entra'], { error: 'expected key (a password in REDIS_URL, or none) or entra (a Microsoft Entra ID token)' }).default('key'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .regex(/(^|;)\s*(InstrumentationKey|ConnectionString)\s*=/i, 'expected the connection string the portal shows (InstrumentationKey=...;IngestionEndpoint=...)')
    .optional(),
  // Application Insights' own variable (its agents read the same one): ingestion with an Entra ID token.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z
    .string()
    .regex(/^Authorization=AAD(;ClientId=[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})?;?$/i, 'expected Authorization=AAD, or Authorization=AAD;ClientId=<guid> for a user-assigned identity')
    .transform((value) => ({ clientId: /ClientId=([^;]+)/i.exec(value)?.[1]?.toLowerCase() }))
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected the collector base URL, http(s)://host:4318' }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/protobuf', 'http/json'], { error: 'expected http/protobuf or http/json (gRPC is not shipped)' })
    .default('http/protobuf'),
  OTEL_METRIC_EXPORT_INTERVAL: integer(1000, 3_600_000).default(60_000),
  AUTH_MODE: z
    .enum(['nickname', 'oidc'], { error: 'expected nickname (anyone picks a free nickname) or oidc (sign-in through OIDC_ISSUER)' })
    .default('nickname'),
  OIDC_ISSUER: issuerUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(256).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  // Read by the OpenTelemetry exporters themselves; listed so that a Cloud Service can pass it and it stays secret.
  OTEL_EXPORTER_OTLP_HEADERS: z.string().min(1).optional(),
} as const;

/** Settings whose values are credentials: never printed, not even in a configuration error. */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set([
  'STORAGE_CONNECTION_STRING',
  'REDIS_URL',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OIDC_CLIENT_SECRET',
]);

/**
 * Secret settings whose empty value is a deliberate default (telemetry off, nickname mode), so publish deploys
 * them empty instead of asking for a value, as it does for storage and Redis.
 */
export const OFF_WHEN_EMPTY_SECRET_SETTINGS: ReadonlySet<SettingName> = new Set([
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OIDC_CLIENT_SECRET',
]);

export type SettingName = keyof typeof SETTINGS;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

