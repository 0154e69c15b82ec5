/**
 * What a valid value looks like, for the settings whose default cannot show it (they have none,
 * or an empty one). Every other setting's example is its default, read from SETTINGS. Shown after a
 * problem with the value, as `(e.g. ...)`; made-up shapes, never real credentials.
 */
export const SETTING_EXAMPLES: Readonly<Record<string, string>> = {
  PORT: '8080',
  HOST: '127.0.0.1',
  INSTANCE_ID: 'WorkerRole1_IN_0',
  ALLOWED_ORIGINS: 'https://chat.example.com,http://localhost:3000',
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  STORAGE_TABLE_ENDPOINT: 'https://chatapphist.table.core.windows.net',
  REDIS_URL: 'rediss://chat.westeurope.redis.azure.net:10000',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
  OTEL_EXPORTER_OTLP_HEADERS: 'api-key=...',
  OIDC_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  OIDC_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
};
