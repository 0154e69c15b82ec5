import { parseArgs } from 'node:util';
import { DEFAULT_APP_SERVICE_SKU } from './app-service/sku.js';
import { PublishError } from './errors.js';
import { defaultStorageAccountName, storageAccountNameProblem } from './storage-account.js';

/**
 * Command-line flags of `npm run publish`, each also readable from an environment variable so CI
 * can keep secrets out of the command line (and out of shell history).
 */
export type PublishTarget = 'cloudservice' | 'appservice';

export interface PublishOptions {
  /** Cloud Services (extended support), the default, or App Service on Linux. */
  target: PublishTarget;
  subscription: string;
  /** Created when missing. @default `rg-<name>` */
  resourceGroup: string;
  /** The cloud service's name and DNS label (http://<name>.<location>.cloudapp.azure.com/), or the
   * web app's name (https://<name>.azurewebsites.net/). */
  name: string;
  location: string;
  /** Cloud Services only: the storage account that receives the package and, unless
   * STORAGE_CONNECTION_STRING is given, holds history; created when missing.
   * @default the name's letters and digits and 8 hex digits of a hash of subscription and name */
  storageAccount: string;
  /** Private container for packages and configurations. */
  container: string;
  /** The .cspkg written by `npm run package` on Windows, or the App Service zip. */
  packageFile: string;
  /** Setting values that go into the cscfg, by setting name. */
  settings: Record<string, string>;
  /** How long Azure may read the uploaded blobs. */
  sasHours: number;
  publicIpSku: 'Basic' | 'Standard';
  /** App Service plan SKU (`P0v3`, `S1`, ...); App Service only. */
  sku: string | undefined;
  /** Instance count instead of the Cloud cscfg's; App Service only. */
  instances: number | undefined;
  dryRun: boolean;
  /** Open the site in the default browser once it answers /healthz (not with --dry-run). */
  launch: boolean;
  /** App Service: ask Resource Manager's what-if what the deployment would change; deploy nothing. */
  whatIf: boolean;
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

  --target cloudservice|appservice    default cloudservice; appservice deploys to App Service on Linux
  --subscription ID          Azure subscription           (env ${ENVIRONMENT_VARIABLES.subscription})
  --resource-group NAME      resource group, created if missing; default rg-<name> (env ${ENVIRONMENT_VARIABLES['resource-group']})
  --name NAME                cloud service or web app name, also its DNS label (env ${ENVIRONMENT_VARIABLES.name})
  --location REGION          e.g. westeurope              (env ${ENVIRONMENT_VARIABLES.location})
  --storage-account NAME     cloudservice: receives the package and, unless STORAGE_CONNECTION_STRING is given,
                             holds history; created if missing; default <name's letters and digits><8 hex digits>
                             (env ${ENVIRONMENT_VARIABLES['storage-account']})
  --setting NAME=VALUE       a cscfg setting value, repeatable (env ${SETTING_ENVIRONMENT_PREFIX}<NAME>)
  --storage-connection-string VALUE   same as --setting STORAGE_CONNECTION_STRING=VALUE
  --redis-url VALUE          same as --setting REDIS_URL=VALUE
  --allowed-origins LIST     same as --setting ALLOWED_ORIGINS=LIST
  --package FILE             default dist/chatapp.cspkg (npm run package on Windows writes it), or for
                             appservice dist/chatapp-appservice.zip (npm run package -- --target appservice)
  --container NAME           cloudservice: default chatapp-packages
  --sas-hours N              cloudservice: how long Azure may read the upload, default 2
  --public-ip-sku Basic|Standard   cloudservice: default Basic (see docs/deploy.md)
  --sku NAME                 appservice: plan SKU, default ${DEFAULT_APP_SERVICE_SKU} (see docs/deploy.md)
  --instances N              appservice: instance count, default the Cloud cscfg's Instances count
  --dry-run                  print the plan (appservice: the deployment, its parameters and every resource); send nothing
  --what-if                  appservice: ask Resource Manager what the deployment would change; deploy nothing
  --launch                   open the site in the default browser once it answers /healthz`;

export function parsePublishOptions(argv: string[], env: NodeJS.ProcessEnv, defaults: { packageFile: string; appServicePackageFile?: string }): PublishOptions {
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
        target: { type: 'string' },
        sku: { type: 'string' },
        instances: { type: 'string' },
        'dry-run': { type: 'boolean' },
        launch: { type: 'boolean' },
        'what-if': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new PublishError((error as Error).message, `run with the flags below:\n${USAGE}`);
  }

  const target = publishTarget(values.target as string | undefined);
  const appService = target === 'appservice';
  const missing: string[] = [];
  const required = (flag: keyof typeof ENVIRONMENT_VARIABLES, needed = true): string => {
    const value = (values[flag] as string | undefined) ?? env[ENVIRONMENT_VARIABLES[flag]];
    if (!value && needed) missing.push(`--${flag} (or ${ENVIRONMENT_VARIABLES[flag]})`);
    return value ?? '';
  };
  const subscription = required('subscription');
  const givenGroup = required('resource-group', false);
  const name = required('name');
  // Only subscription, name and location are needed: publish (a cloud service) or the template (App
  // Service) creates the group when it is missing, under this default, which a second run finds again.
  const resourceGroup = givenGroup || (name ? `rg-${name}` : '');
  const options: PublishOptions = {
    target,
    subscription,
    resourceGroup,
    name,
    location: required('location'),
    // App Service takes the zip straight from this machine: no storage account in between.
    storageAccount: required('storage-account', false) || (appService || !name ? '' : defaultStorageAccountName(subscription, name)),
    container: (values.container as string | undefined) ?? 'chatapp-packages',
    packageFile: (values.package as string | undefined) ?? (appService ? (defaults.appServicePackageFile ?? defaults.packageFile) : defaults.packageFile),
    settings: settingValues(values, env),
    sasHours: Number((values['sas-hours'] as string | undefined) ?? '2'),
    publicIpSku: publicIpSku(values['public-ip-sku'] as string | undefined),
    sku: values.sku as string | undefined,
    instances: instanceCount(values.instances as string | undefined),
    // `npm run publish --dry-run` (without `--`) reaches the script only as npm's own config.
    dryRun: values['dry-run'] === true || env.npm_config_dry_run === 'true',
    launch: values.launch === true,
    whatIf: values['what-if'] === true,
  };
  if (missing.length > 0) {
    throw new PublishError(`missing ${missing.join(', ')}`, `pass the flags or set the environment variables:\n${USAGE}`);
  }
  if (!Number.isFinite(options.sasHours) || options.sasHours <= 0 || options.sasHours > 24) {
    throw new PublishError(`--sas-hours must be a number above 0 and at most 24`, 'the upload only needs to be readable while Azure deploys it; 2 hours is plenty');
  }
  if (appService) {
    // Azure's rule for a web app name, which is also its host name under azurewebsites.net.
    if (!/^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/.test(options.name)) {
      throw new PublishError(
        `--name ${JSON.stringify(options.name)} cannot be a web app name`,
        'use 2 to 60 lowercase letters, digits and hyphens, not starting or ending with a hyphen: it becomes <name>.azurewebsites.net',
      );
    }
    if (options.dryRun && options.whatIf) {
      throw new PublishError('--dry-run and --what-if both given', '--dry-run prints the plan without Azure; --what-if asks Resource Manager what would change: pick one');
    }
    return options;
  }
  const appServiceOnly = (['sku', 'instances', 'what-if'] as const).filter((flag) => values[flag] !== undefined);
  if (appServiceOnly.length > 0) {
    throw new PublishError(
      `${appServiceOnly.map((flag) => `--${flag}`).join(' and ')} only apply to --target appservice`,
      'for a cloud service the csdef sets the VM size and the Cloud cscfg the instance count, and --dry-run shows the plan; add --target appservice to deploy to App Service',
    );
  }
  // Azure's rule for a cloud service name, which publish also uses as the public IP's DNS label.
  if (!/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(options.name)) {
    throw new PublishError(
      `--name ${JSON.stringify(options.name)} cannot be a DNS label`,
      'use 3 to 63 lowercase letters, digits and hyphens, starting with a letter: it becomes <name>.<location>.cloudapp.azure.com',
    );
  }
  const accountProblem = storageAccountNameProblem(options.storageAccount);
  if (accountProblem) throw new PublishError(`--storage-account ${JSON.stringify(options.storageAccount)}: ${accountProblem}`, 'pass another --storage-account, or leave it out for the default');
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

function publishTarget(value: string | undefined): PublishTarget {
  const target = value?.toLowerCase();
  if (target === undefined || target === 'cloudservice' || target === 'appservice') return target ?? 'cloudservice';
  throw new PublishError(`--target ${value}: expected cloudservice or appservice`, 'pass --target appservice for App Service, or leave it out for Cloud Services');
}

function instanceCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 30) {
    throw new PublishError(`--instances ${value}: expected a whole number from 1 to 30`, 'pass --instances 2 (or leave it out to use the Cloud cscfg\'s Instances count)');
  }
  return count;
}

function publicIpSku(value: string | undefined): 'Basic' | 'Standard' {
  if (value === undefined || value === 'Basic' || value === 'Standard') return value ?? 'Basic';
  throw new PublishError(`--public-ip-sku ${value}: expected Basic or Standard`, 'pass --public-ip-sku Basic or --public-ip-sku Standard');
}
