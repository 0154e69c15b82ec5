import type { FilledConfiguration } from './fill-configuration.js';
import type { PublishPlan } from './plan.js';
import { REDACTED, redactText } from './secrets.js';

export interface PlanDescription {
  plan: PublishPlan;
  configuration: FilledConfiguration;
  resourceGroup: string;
  location: string;
  storageAccount: string;
  container: string;
  packageFile: string;
  sasHours: number;
  /** The resource group, storage account, role and key steps before the upload (provision-storage.ts). */
  storageSteps: string[];
  /** api-version the SDK sends for cloudServices, for the printed request lines. */
  computeApiVersion: string;
  networkApiVersion: string;
}

/**
 * The `--dry-run` output: every step and every request body, in order. All of it goes through
 * redactText, so a secret cannot reach the terminal even if a future change puts one in a body.
 */
export function describePlan(description: PlanDescription): string {
  const { plan, configuration } = description;
  const blobBase = `https://${description.storageAccount}.blob.core.windows.net/${description.container}`;
  const json = (value: unknown) => JSON.stringify(value, null, 2).replace(/^/gm, '     ');
  const lines = [
    `publish plan for cloud service ${plan.cloudService.name} in resource group ${description.resourceGroup} (${description.location})`,
    '',
    `  first, where the package goes (each created only when missing):`,
    ...description.storageSteps,
    '',
    `  1. upload ${description.packageFile}`,
    `     -> ${blobBase}/${plan.blobs.package}`,
    `  2. upload the filled-in cscfg (settings below)`,
    `     -> ${blobBase}/${plan.blobs.configuration}`,
    `     both in a private container; Azure gets read-only SAS URLs that expire after ${description.sasHours} h`,
    '',
    `  3. if missing: PUT ${plan.virtualNetwork.id}?api-version=${description.networkApiVersion}`,
    json(plan.virtualNetwork.body),
    `  4. if missing: PUT ${plan.publicIp.id}?api-version=${description.networkApiVersion}`,
    json(plan.publicIp.body),
    `  5. create, or update in place: PUT ${plan.cloudService.id}?api-version=${description.computeApiVersion}`,
    json(plan.cloudService.body),
    '',
    '  settings in the uploaded cscfg:',
    ...configuration.settings.map(({ name, value, secret }) => `     ${name} = ${secret && value !== '' ? REDACTED : JSON.stringify(value)}`),
    '',
    '  the uploaded cscfg:',
    configuration.xml.replace(/^/gm, '     '),
    '',
    `  then: ${plan.publicUrl}`,
    '',
    'dry run: nothing was uploaded and no request was sent.',
  ];
  return redactText(lines.join('\n'), configuration.secretValues);
}
