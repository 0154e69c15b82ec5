/**
 * `UseDevelopmentStorage=true` means Azurite's well-known account on the default ports (table:
 * 10002). When the emulator runs Azurite's table service elsewhere (tests run several at once),
 * the instances get the same account spelled out with the real table endpoint instead.
 */
export const DEFAULT_TABLE_PORT = 10002;

// Azurite's published development account; not a secret.
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function isDevelopmentStorage(value: string): boolean {
  return /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value);
}

export function developmentStorageConnectionString(tablePort: number): string {
  if (tablePort === DEFAULT_TABLE_PORT) return 'UseDevelopmentStorage=true';
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${ACCOUNT_KEY}`,
    `TableEndpoint=http://127.0.0.1:${tablePort}/${ACCOUNT}`,
  ].join(';');
}

/** The cscfg settings with every development-storage value pointing at the running Azurite. */
export function pointSettingsAtStorage(settings: ReadonlyMap<string, string>, tablePort: number): Map<string, string> {
  return new Map(
    [...settings].map(([name, value]) => [name, isDevelopmentStorage(value) ? developmentStorageConnectionString(tablePort) : value]),
  );
}
