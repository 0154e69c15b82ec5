import { parseArgs } from 'node:util';
import { PublishError } from './errors.js';

/**
 * Command-line flags of `npm run publish`, each also readable from an environment variable so CI
 * can keep secrets out of the command line (and out of shell history).
 */
export interface PublishOptions {
  subscription: string;
  resourceGroup: string;
  /** The cloud service's name; also its DNS label: http://<name>.<location>.cloudapp.azure.com/ */
  name: string;
  location: string;
  /** The storage account that receives the package; it must exist. */
  storageAccount: string;
  /** Private container for packages and configurations. */
  container: string;
  /** The .cspkg written by `npm run package` on Windows. */
  packageFile: string;
  /** Setting values that go into the cscfg, by setting name. */
  settings: Record<string, string>;
  /** How long Azure may read the uploaded blobs. */
  sasHours: number;
  publicIpSku: 'Basic' | 'Standard';
  dryRun: boolean;
}

/** flag -> environment variable. */
export const ENVIRONMENT_VARIABLES = {
  subscription: 'AZURE_SUBSCRIPTION_ID',
  'resource-group': 'CHATAPP_RESOURCE_GROUP',
  name: 'CHATAPP_NAME',
  location: 'CHATAPP_LOCATION',
  'storage-account': 'CHATAPP_STORAGE_ACCOUNT',
} as const;

/** Prefix of environment variables that fill a cscfg setting: CHATAPP_SETTING_REDIS_URL=... */
export const SETTING_ENVIRONMENT_PREFIX = 'CHATAPP_SETTING_';

/**
 * Shorthands for the settings people most often pass, with the setting each fills. The setting must
 * be declared in the csdef; publish says so if it is not.
 */
export const SETTING_SHORTHANDS = {
  'storage-connection-string': 'STORAGE_CONNECTION_STRING',
  'redis-url': 'REDIS_URL',
  'allowed-origins': 'ALLOWED_ORIGINS',
} as const;

export const USAGE = `usage: npm run publish -- [options]      (not \`npm publish\`, which is npm's own command)

  --subscription ID          Azure subscription           (env ${ENVIRONMENT_VARIABLES.subscription})
  --resource-group NAME      resource group, must exist   (env ${ENVIRONMENT_VARIABLES['resource-group']})
  --name NAME                cloud service name and DNS label (env ${ENVIRONMENT_VARIABLES.name})
  --location REGION          e.g. westeurope              (env ${ENVIRONMENT_VARIABLES.location})
  --storage-account NAME     receives the package         (env ${ENVIRONMENT_VARIABLES['storage-account']})
  --setting NAME=VALUE       a cscfg setting value, repeatable (env ${SETTING_ENVIRONMENT_PREFIX}<NAME>)
  --storage-connection-string VALUE   same as --setting STORAGE_CONNECTION_STRING=VALUE
  --redis-url VALUE          same as --setting REDIS_URL=VALUE
  --allowed-origins LIST     same as --setting ALLOWED_ORIGINS=LIST
  --package FILE             default dist/chatapp.cspkg (npm run package on Windows writes it)
  --container NAME           default chatapp-packages
  --sas-hours N              how long Azure may read the upload, default 2
  --public-ip-sku Basic|Standard   default Basic (see docs/deploy.md)
  --dry-run                  print the plan and every request body; send nothing`;

export function parsePublishOptions(argv: string[], env: NodeJS.ProcessEnv, defaults: { packageFile: string }): PublishOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        subscription: { type: 'string' },
        'resource-group': { type: 'string' },
        name: { type: 'string' },
        location: { type: 'string' },
        'storage-account': { type: 'string' },
        setting: { type: 'string', multiple: true },
        'storage-connection-string': { type: 'string' },
        'redis-url': { type: 'string' },
        'allowed-origins': { type: 'string' },
        package: { type: 'string' },
        container: { type: 'string' },
        'sas-hours': { type: 'string' },
        'public-ip-sku': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new PublishError((error as Error).message, `run with the flags below:\n${USAGE}`);
  }

  const missing: string[] = [];
  const required = (flag: keyof typeof ENVIRONMENT_VARIABLES): string => {
    const value = (values[flag] as string | undefined) ?? env[ENVIRONMENT_VARIABLES[flag]];
    if (!value) missing.push(`--${flag} (or ${ENVIRONMENT_VARIABLES[flag]})`);
    return value ?? '';
  };
  const options: PublishOptions = {
    subscription: required('subscription'),
    resourceGroup: required('resource-group'),
    name: required('name'),
    location: required('location'),
    storageAccount: required('storage-account'),
    container: (values.container as string | undefined) ?? 'chatapp-packages',
    packageFile: (values.package as string | undefined) ?? defaults.packageFile,
    settings: settingValues(values, env),
    sasHours: Number((values['sas-hours'] as string | undefined) ?? '2'),
    publicIpSku: publicIpSku(values['public-ip-sku'] as string | undefined),
    // `npm run publish --dry-run` (without `--`) reaches the script only as npm's own config.
    dryRun: values['dry-run'] === true || env.npm_config_dry_run === 'true',
  };
  if (missing.length > 0) {
    throw new PublishError(`missing ${missing.join(', ')}`, `pass the flags or set the environment variables:\n${USAGE}`);
  }
  if (!Number.isFinite(options.sasHours) || options.sasHours <= 0 || options.sasHours > 24) {
    throw new PublishError(`--sas-hours must be a number above 0 and at most 24`, 'the upload only needs to be readable while Azure deploys it; 2 hours is plenty');
  }
  // Azure's rule for a cloud service name, which publish also uses as the public IP's DNS label.
  if (!/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(options.name)) {
    throw new PublishError(
      `--name ${JSON.stringify(options.name)} cannot be a DNS label`,
      'use 3 to 63 lowercase letters, digits and hyphens, starting with a letter: it becomes <name>.<location>.cloudapp.azure.com',
    );
  }
  return options;
}

function settingValues(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SETTING_ENVIRONMENT_PREFIX) && value !== undefined) settings[key.slice(SETTING_ENVIRONMENT_PREFIX.length)] = value;
  }
  for (const [flag, setting] of Object.entries(SETTING_SHORTHANDS)) {
    const value = values[flag];
    if (typeof value === 'string') settings[setting] = value;
  }
  for (const pair of (values.setting as string[] | undefined) ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new PublishError(`--setting ${pair.split('=')[0]}: expected NAME=VALUE`, 'write it as --setting NAME=VALUE');
    settings[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return settings;
}

function publicIpSku(value: string | undefined): 'Basic' | 'Standard' {
  if (value === undefined || value === 'Basic' || value === 'Standard') return value ?? 'Basic';
  throw new PublishError(`--public-ip-sku ${value}: expected Basic or Standard`, 'pass --public-ip-sku Basic or --public-ip-sku Standard');
}
