import { WEB_API_VERSION } from '../api-versions.js';
import type { FilledConfiguration } from '../fill-configuration.js';
import { REDACTED, redactText } from '../secrets.js';
import type { AppServicePublishPlan } from './plan.js';

export interface AppServicePlanDescription {
  plan: AppServicePublishPlan;
  configuration: FilledConfiguration;
  resourceGroup: string;
  location: string;
  packageFile: string;
  warning?: string;
}

/**
 * The `--dry-run` output for App Service: every request in order with its body. All of it goes
 * through redactText, so a secret cannot reach the terminal even if a future change puts one in a body.
 */
export function describeAppServicePlan(description: AppServicePlanDescription): string {
  const { plan, configuration } = description;
  const json = (value: unknown) => JSON.stringify(value, null, 2).replace(/^/gm, '     ');
  const request = (verb: string, id: string) => `${verb} ${id}?api-version=${WEB_API_VERSION}`;
  const secret = new Set(configuration.settings.filter(({ secret }) => secret).map(({ name }) => name));
  const shownSettings = Object.fromEntries(
    Object.entries(plan.appSettings.body.properties).map(([name, value]) => [name, secret.has(name) ? REDACTED : value]),
  );
  const lines = [
    `publish plan for web app ${plan.site.name} on App Service (Linux) in resource group ${description.resourceGroup} (${description.location})`,
    ...(description.warning ? ['', `  note: ${description.warning}`] : []),
    '',
    `  1. create, or update in place: ${request('PUT', plan.plan.id)}`,
    json(plan.plan.body),
    `  2. create, or update in place: ${request('PUT', plan.site.id)}`,
    json(plan.site.body),
    `  3. ${request('PUT', plan.siteConfig.id)}`,
    json(plan.siteConfig.body),
    `  4. ${request('POST', `${plan.appSettings.id}/list`)} (the settings the site has), then`,
    `     ${request('PUT', plan.appSettings.id)}`,
    json({ properties: shownSettings }),
    `     plus any setting the site already has that publish does not manage (${plan.managedSettingNames.length} names are managed: the role's settings and SCM_DO_BUILD_DURING_DEPLOYMENT)`,
    `  5. POST ${description.packageFile}`,
    `     -> ${plan.deploymentUrl} (Content-Type: application/zip, Authorization: Bearer <Microsoft Entra token>)`,
    `     then poll the deployment until Kudu reports success`,
    '',
    `  then: ${plan.publicUrl}`,
    '',
    'dry run: nothing was uploaded and no request was sent.',
  ];
  return redactText(lines.join('\n'), configuration.secretValues);
}
