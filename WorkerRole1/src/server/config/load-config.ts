import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeSettingIssue } from './setting-problems.js';
import { SETTINGS, type SettingName } from './settings.js';

export interface Config {
  port: number;
  /** Address to bind; all interfaces when unset. */
  host: string | undefined;
  instanceId: string;
  logLevel: z.infer<(typeof SETTINGS)['LOG_LEVEL']>;
  /** Origins allowed to connect besides the server's own; empty means same origin only. */
  allowedOrigins: string[];
  sessionGraceMs: number;
  /** With Redis: how long a session outlives its instance's last renewal (a crash frees it after this). */
  sessionLeaseMs: number;
  /** Rooms with more members than this hear coalesced room:presence instead of each join and leave. */
  presenceIndividualMax: number;
  /** How often, at most, a large room hears room:presence. */
  presenceIntervalMs: number;
  messageRatePerSecond: number;
  messageBurst: number;
  eventRatePerSecond: number;
  eventBurst: number;
  /** Rate-limited events in a row after which a socket is disconnected. */
  floodDisconnectAfter: number;
  maxPayloadBytes: number;
  historyMaxPerRoom: number;
  shutdownTimeoutMs: number;
  /** Azure Table Storage for history; in-memory history when unset. A secret. */
  storageConnectionString: string | undefined;
  /**
   * Azure Table Storage for history through Microsoft Entra ID (DefaultAzureCredential), no key:
   * the table endpoint, without a trailing slash. Never set together with storageConnectionString.
   */
  storageTableEndpoint: string | undefined;
  historyTable: string;
  /** Messages older than this are deleted; 0 keeps them forever. */
  historyRetentionDays: number;
  historyWriteQueueMax: number;
  /** Redis joins the instances (adapter, sessions); unset means one instance. A secret. */
  redisUrl: string | undefined;
  /**
   * How the Redis connections authenticate: 'key' with the password REDIS_URL carries (or none),
   * 'entra' with a Microsoft Entra ID token for the identity's object id, renewed on live connections.
   * @default 'key'
   */
  redisAuth: 'key' | 'entra';
  /** Exports to Application Insights through Microsoft's OpenTelemetry distribution when set. A secret. */
  appInsightsConnectionString: string | undefined;
  /**
   * Application Insights ingestion with an Entra ID token instead of the instrumentation key
   * (APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD); clientId names a user-assigned identity.
   */
  appInsightsAuthentication: { clientId: string | undefined } | undefined;
  /** Exports traces and metrics over OTLP/HTTP to this collector when set. */
  otlpEndpoint: string | undefined;
  otlpProtocol: 'http/protobuf' | 'http/json';
  metricExportIntervalMs: number;
  /** @default { mode: 'nickname' } */
  auth: AuthConfig;
}

/** How people are known: a free nickname each (the default), or a sign-in through an OpenID Connect provider. */
export type AuthConfig =
  | { mode: 'nickname' }
  | {
      mode: 'oidc';
      /** Without a trailing slash: https://login.microsoftonline.com/<tenant>/v2.0 for Entra ID. */
      issuer: string;
      clientId: string;
      /** A secret. */
      clientSecret: string;
    };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const settingsSchema = z.object(SETTINGS);

/**
 * Reads the settings once, at start. Command-line flags (`--port`) win over the environment.
 * Throws ConfigError naming every invalid setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: string[] = []): Config {
  const { values: flags } = parseArgs({
    args: argv,
    options: { port: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const raw: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  if (flags.port !== undefined) raw.PORT = flags.port;

  const parsed = settingsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // The same words `npm run validate` uses for a cscfg value (setting-problems.ts).
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]) as SettingName;
      if (!Object.hasOwn(SETTINGS, name)) return issue.message;
      const label = name === 'PORT' && flags.port !== undefined ? '--port' : name;
      return describeSettingIssue(name, raw[name] ?? '', { ...issue, path: issue.path.slice(1) }, label);
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const s = parsed.data;
  const conflicts = conflictsBetween(s);
  if (conflicts.length > 0) throw new ConfigError(`invalid configuration:\n  ${conflicts.join('\n  ')}`);
  return {
    port: s.PORT,
    host: s.HOST,
    instanceId: s.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    logLevel: s.LOG_LEVEL,
    allowedOrigins: s.ALLOWED_ORIGINS,
    sessionGraceMs: s.SESSION_GRACE_MS,
    sessionLeaseMs: s.SESSION_LEASE_MS,
    presenceIndividualMax: s.PRESENCE_INDIVIDUAL_MAX,
    presenceIntervalMs: s.PRESENCE_INTERVAL_MS,
    messageRatePerSecond: s.MESSAGE_RATE_PER_SECOND,
    messageBurst: s.MESSAGE_BURST,
    eventRatePerSecond: s.EVENT_RATE_PER_SECOND,
    eventBurst: s.EVENT_BURST,
    floodDisconnectAfter: s.FLOOD_DISCONNECT_AFTER,
    maxPayloadBytes: s.MAX_PAYLOAD_BYTES,
    historyMaxPerRoom: s.HISTORY_MAX_PER_ROOM,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    storageConnectionString: s.STORAGE_CONNECTION_STRING,
    storageTableEndpoint: s.STORAGE_TABLE_ENDPOINT,
    historyTable: s.HISTORY_TABLE,
    historyRetentionDays: s.HISTORY_RETENTION_DAYS,
    historyWriteQueueMax: s.HISTORY_WRITE_QUEUE_MAX,
    redisUrl: s.REDIS_URL,
    redisAuth: s.REDIS_AUTH,
    appInsightsConnectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING,
    appInsightsAuthentication: s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING,
    otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT,
    otlpProtocol: s.OTEL_EXPORTER_OTLP_PROTOCOL,
    metricExportIntervalMs: s.OTEL_METRIC_EXPORT_INTERVAL,
    auth:
      s.AUTH_MODE === 'oidc'
        ? { mode: 'oidc', issuer: s.OIDC_ISSUER!, clientId: s.OIDC_CLIENT_ID!, clientSecret: s.OIDC_CLIENT_SECRET! }
        : { mode: 'nickname' },
  };
}

/**
 * Settings that are valid alone but contradict each other. Each problem names every setting
 * involved and never shows a secret value.
 */
function conflictsBetween(s: z.infer<typeof settingsSchema>): string[] {
  const problems: string[] = [];
  if (s.STORAGE_CONNECTION_STRING !== undefined && s.STORAGE_TABLE_ENDPOINT !== undefined) {
    problems.push(
      'STORAGE_CONNECTION_STRING and STORAGE_TABLE_ENDPOINT are both set: history uses one storage account, ' +
        'with its key (STORAGE_CONNECTION_STRING) or with Microsoft Entra ID (STORAGE_TABLE_ENDPOINT); leave one empty',
    );
  }
  if (s.REDIS_AUTH === 'entra') {
    if (s.REDIS_URL === undefined) {
      problems.push('REDIS_AUTH=entra needs REDIS_URL (rediss://<host>:10000 for Azure Managed Redis); leave REDIS_AUTH empty to run one instance without Redis');
    } else {
      const url = new URL(s.REDIS_URL);
      if (url.password !== '' || url.username !== '') {
        problems.push('REDIS_URL carries a user name or password (value hidden), but REDIS_AUTH=entra authenticates with a token: remove them from REDIS_URL, or set REDIS_AUTH=key');
      }
    }
  }
  if (s.AUTH_MODE === 'oidc') {
    const missing = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((name) => s[name] === undefined);
    if (missing.length > 0) {
      problems.push(`AUTH_MODE=oidc needs ${missing.join(', ')} (the app registration at the provider; docs/sign-in.md says where each comes from)`);
    }
  }
  return problems;
}
