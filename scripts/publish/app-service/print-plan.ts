import type { WhatIfChange } from '@azure/arm-resourcesdeployments';
import { DEPLOYMENTS_API_VERSION } from '../api-versions.js';
import { redactText } from '../secrets.js';
import type { DeploymentRequest } from './deployment-request.js';
import type { DeclaredResource } from './template-resources.js';
import { zipDeployUrl } from './zip-deploy.js';

export interface DeploymentDescription {
  subscription: string;
  deploymentName: string;
  request: DeploymentRequest;
  templateFile: string;
  secureParameters: ReadonlySet<string>;
  resources: DeclaredResource[];
  packageFile: string;
  siteName: string;
  warning?: string;
  /** Values that must never be printed, whatever a future change puts in a parameter. */
  secretValues: readonly string[];
}

export const SECURE = '<secure>';

/**
 * The `--dry-run` output: the one deployment (scope, name, location, every parameter, secure ones
 * hidden), every resource the template declares by type and name, then the zip deployment.
 */
export function describeDeployment(description: DeploymentDescription): string {
  const { request } = description;
  const parameters = Object.entries(request.properties.parameters).map(([name, { value }]) => {
    if (description.secureParameters.has(name)) {
      const why = name === 'keptAppSettings' ? ' (the site\'s app settings that publish does not manage, read from the site at publish time)' : '';
      return `      ${name}: ${SECURE}${why}`;
    }
    return `      ${name}: ${JSON.stringify(value)}`;
  });
  const width = Math.max(...description.resources.map(({ type, depth }) => type.length + depth * 2));
  const resources = description.resources.map((resource) => {
    const indent = '  '.repeat(resource.depth);
    const notes = [
      resource.resolved ? '' : '(name computed by Azure)',
      resource.scope ? `on ${resource.scope}` : '',
      resource.type.toLowerCase() === 'microsoft.resources/resourcegroups' || resource.depth > 0 || !resource.resourceGroup ? '' : `in resource group ${resource.resourceGroup}`,
      resource.condition ? `(only when ${resource.condition.when}; ${deployedNote(resource.condition.deployed)})` : '',
    ].filter(Boolean);
    return `      ${indent}${resource.type.padEnd(width - indent.length)}  ${resource.name}${notes.length ? `  ${notes.join(' ')}` : ''}`;
  });
  const lines = [
    `publish plan for web app ${description.siteName} on App Service (Linux): one Resource Manager deployment, then the zip`,
    ...(description.warning ? ['', `  note: ${description.warning}`] : []),
    '',
    `  1. deploy ${description.templateFile} at subscription scope, and wait for it:`,
    `     PUT /subscriptions/${description.subscription}/providers/Microsoft.Resources/deployments/${description.deploymentName}?api-version=${DEPLOYMENTS_API_VERSION}`,
    `     location: ${request.location} (where Resource Manager keeps the deployment's record)`,
    `     mode: ${request.properties.mode}`,
    '     parameters:',
    ...parameters,
    `     resources the template declares (${description.resources.length}):`,
    ...resources,
    `  2. POST ${description.packageFile}`,
    `     -> ${zipDeployUrl(`https://${description.siteName}.azurewebsites.net/`)} (Kudu beside the WEB_APP_URL output's host;`,
    '        Content-Type: application/zip, Authorization: Bearer <Microsoft Entra token>)',
    '     then poll the deployment until Kudu reports success',
    '',
    `  then: https://${description.siteName}.azurewebsites.net/ (the WEB_APP_URL output)`,
    '',
    'dry run: nothing was sent and no sign-in was needed. --what-if asks Resource Manager what would change.',
  ];
  return redactText(lines.join('\n'), description.secretValues);
}

function deployedNote(deployed: boolean | undefined): string {
  if (deployed === undefined) return 'decided by Azure';
  return deployed ? 'deployed with these parameters' : 'not deployed with these parameters';
}

const SYMBOLS: Record<string, string> = { Create: '+ create  ', Delete: '- delete  ', Modify: '~ modify  ', Deploy: '! deploy  ', NoChange: '= nochange', Ignore: '* ignore  ', Unsupported: 'x unsupported' };

/**
 * The `--what-if` output: Resource Manager's prediction, one line per resource id, and for a
 * modification the property paths that change. Values are left out on purpose: an app settings
 * resource's values can be secrets (the kept settings are).
 */
export function describeWhatIf(deploymentName: string, changes: WhatIfChange[]): string {
  const order = ['Create', 'Modify', 'Delete', 'Deploy', 'NoChange', 'Ignore', 'Unsupported'];
  const sorted = [...changes].sort((a, b) => order.indexOf(a.changeType) - order.indexOf(b.changeType) || (a.resourceId ?? '').localeCompare(b.resourceId ?? ''));
  const lines = sorted.flatMap((change) => {
    const paths = (change.delta ?? []).map(({ path, propertyChangeType }) => `        ${propertyChangeType.toLowerCase()} ${path}`);
    const reason = change.unsupportedReason ? ` (${change.unsupportedReason})` : '';
    return [`  ${SYMBOLS[change.changeType] ?? change.changeType} ${change.resourceId ?? change.resourceType ?? '?'}${reason}`, ...paths];
  });
  const counts = order.map((type) => [type, changes.filter(({ changeType }) => changeType === type).length] as const).filter(([, count]) => count > 0);
  return [
    `what-if for deployment ${deploymentName} (Resource Manager's prediction; nothing was deployed):`,
    '',
    ...lines,
    '',
    `  ${counts.map(([type, count]) => `${count} ${type.toLowerCase()}`).join(', ') || 'no changes'}`,
  ].join('\n');
}
