import { createHash } from 'node:crypto';
import { PublishError } from '../errors.js';
import type { FilledConfiguration } from '../fill-configuration.js';
import type { ArmTemplate } from './template-resources.js';

/**
 * The one Resource Manager deployment that `publish --target appservice` sends: infra/main.json at
 * subscription scope with the parameters infra/main.bicep declares, built from the options and the Cloud cscfg
 * only, so the same inputs always give the same request (re-running changes nothing).
 */
export interface DeploymentInput {
  name: string;
  location: string;
  resourceGroup: string;
  sku: string;
  instances: number;
  configuration: FilledConfiguration;
}

export type DeploymentParameters = Record<string, { value: unknown }>;

export interface DeploymentRequest {
  location: string;
  properties: { mode: 'Incremental'; template: ArmTemplate; parameters: DeploymentParameters };
}

/**
 * Settings the template provisions itself, without keys (an endpoint and the site's managed identity
 * instead). A value given for them is refused: it would be a second, key-based way to the same thing.
 */
export const PROVISIONED_SECRET_SETTINGS = ['STORAGE_CONNECTION_STRING', 'REDIS_URL', 'APPLICATIONINSIGHTS_CONNECTION_STRING'] as const;

/** App settings the template writes on top of roleSettings (infra/resources.bicep, ownAppSettings). */
export const TEMPLATE_APP_SETTINGS = [
  'STORAGE_TABLE_ENDPOINT',
  'HISTORY_TABLE',
  'REDIS_URL',
  'REDIS_AUTH',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
];

/**
 * Stable per app, so re-running replaces one entry in the subscription's deployment history (which
 * Azure caps at 800 per scope) instead of adding one per publish, and `az deployment sub show -n`
 * finds the latest. Deployment names are at most 64 characters: a long app name is cut and a hash
 * of the whole name keeps two such names apart.
 */
export function deploymentName(appName: string): string {
  const name = `chatapp-${appName}`;
  if (name.length <= 64) return name;
  return `chatapp-${appName.slice(0, 47)}-${createHash('sha256').update(appName).digest('hex').slice(0, 8)}`;
}

/**
 * Refuses, before anything is sent, a secret the user gave: the template provisions storage, Redis
 * and Application Insights without keys, and a deployment parameter must never carry a secret (it
 * would be readable in the deployment history). Names only in the message, never values.
 */
export function refuseGivenSecrets(given: Record<string, string>, secretNames: ReadonlySet<string>): void {
  const provisioned = PROVISIONED_SECRET_SETTINGS.filter((name) => (given[name] ?? '') !== '');
  if (provisioned.length > 0) {
    throw new PublishError(
      `${provisioned.join(', ')} given, but on App Service the template provisions ${provisioned.length === 1 ? 'it' : 'them'} without keys: ` +
        'the storage account (STORAGE_TABLE_ENDPOINT and the site\'s managed identity), Azure Managed Redis with Microsoft Entra ID (REDIS_URL without a password, REDIS_AUTH=entra) and Application Insights (its connection string, no key)',
      `leave ${provisioned.map((name) => `--setting ${name}`).join(', ')} out (and unset CHATAPP_SETTING_${provisioned[0]}); publish writes the keyless values itself`,
    );
  }
  const written = TEMPLATE_APP_SETTINGS.filter((name) => name !== 'HISTORY_TABLE' && (given[name] ?? '') !== '');
  if (written.length > 0) {
    throw new PublishError(`${written.join(', ')} given, but on App Service the template sets ${written.length === 1 ? 'it' : 'them'} from what it provisions`, `leave ${written.map((name) => `--setting ${name}`).join(', ')} out`);
  }
  const other = Object.keys(given).filter((name) => secretNames.has(name) && given[name] !== '');
  if (other.length > 0) {
    throw new PublishError(
      `secret setting ${other.join(', ')} given: on App Service publish passes settings as deployment parameters, which must never carry a secret`,
      `set it on the site once (az webapp config appsettings set -g <group> -n <name> --settings ${other[0]}=...); publish keeps app settings it does not manage`,
    );
  }
}

/** The cscfg's settings with a value, minus secrets and the settings the template writes itself. */
export function roleSettings(configuration: FilledConfiguration): Record<string, string> {
  const written = new Set(TEMPLATE_APP_SETTINGS.filter((name) => name !== 'HISTORY_TABLE'));
  return Object.fromEntries(
    configuration.settings.filter(({ name, value, secret }) => value !== '' && !secret && !written.has(name)).map(({ name, value }) => [name, value]),
  );
}

/**
 * Names whose values publish owns on the site: the role's settings and what the template writes.
 * A role secret the template does not provision (OTEL_EXPORTER_OTLP_HEADERS) is not owned: set on
 * the site by hand, it is kept. A STORAGE_CONNECTION_STRING left by an older, key-based publish is
 * owned and so removed: the role refuses it beside STORAGE_TABLE_ENDPOINT.
 */
export function managedSettingNames(configuration: FilledConfiguration): Set<string> {
  const provisioned = new Set<string>(PROVISIONED_SECRET_SETTINGS);
  const role = configuration.settings.filter(({ name, secret }) => !secret || provisioned.has(name)).map(({ name }) => name);
  return new Set([...role, ...TEMPLATE_APP_SETTINGS]);
}

/** The site's app settings that publish does not manage (added in the portal, say): kept across an update. */
export function keptAppSettings(existing: Record<string, string>, managed: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(existing).filter(([name]) => !managed.has(name)).sort(([a], [b]) => a.localeCompare(b)));
}

export function deploymentRequest(input: DeploymentInput, template: ArmTemplate, kept: Record<string, string>): DeploymentRequest {
  return {
    location: input.location,
    properties: {
      // Incremental: resources in the group that the template does not declare are left alone.
      mode: 'Incremental',
      template,
      parameters: {
        name: { value: input.name },
        location: { value: input.location },
        resourceGroupName: { value: input.resourceGroup },
        sku: { value: input.sku },
        instanceCount: { value: input.instances },
        roleSettings: { value: roleSettings(input.configuration) },
        keptAppSettings: { value: kept },
      },
    },
  };
}
