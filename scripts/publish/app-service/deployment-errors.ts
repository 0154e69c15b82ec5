import type { ErrorResponse } from '@azure/arm-resourcesdeployments';
import { PublishError } from '../errors.js';

/**
 * A failed deployment, turned into one line per resource that failed: "resource <type> <name>:
 * cause; fix". Azure reports a failure as DeploymentFailed with details[] ({code, message, target}),
 * and per resource in the deployment operations (statusMessage.error, targetResource); a nested
 * deployment (a Bicep module) has operations of its own. The codes below are the ones Azure
 * documents in "Troubleshoot common Azure deployment errors" (Microsoft Learn).
 */
export interface FailedResource {
  type?: string | undefined;
  name?: string | undefined;
  id?: string | undefined;
  statusCode?: string | undefined;
  error?: ErrorResponse | undefined;
}

export interface DeploymentFailure {
  deployment: string;
  error: ErrorResponse;
  failed: FailedResource[];
  /** The template's resources by name, to name the type when Azure gives only a name (a policy denial's target). */
  declared?: readonly { type: string; name: string }[];
}

/** Wrappers around the real cause: look inside them. */
const WRAPPERS = new Set(['DeploymentFailed', 'ResourceDeploymentFailure', 'InvalidTemplateDeployment', 'MultipleErrorsOccurred']);

export function explainDeploymentFailure(failure: DeploymentFailure): PublishError {
  const failed = (failure.failed.length > 0 ? failure.failed : fromDetails(failure.error)).map((resource) =>
    resource.type || !resource.name ? resource : { ...resource, type: failure.declared?.find(({ name }) => name === resource.name)?.type },
  );
  const lines = failed.map(explainResource);
  const unique = [...new Set(lines)];
  if (unique.length === 0) {
    const { cause, fix } = classify(failure.error.code ?? '', failure.error.message ?? '', undefined);
    return new PublishError(`deployment ${failure.deployment} failed: ${cause}`, fix);
  }
  return new PublishError(
    `deployment ${failure.deployment} failed:\n${unique.map((line) => `    ${line}`).join('\n')}`,
    `act on each line above, then publish again (it resumes: what already exists is left as it is); the full record: az deployment operation sub list --name ${failure.deployment}`,
  );
}

function explainResource(resource: FailedResource): string {
  const leaf = leafError(resource.error) ?? {};
  const { cause, fix } = classify(leaf.code ?? resource.statusCode ?? '', leaf.message ?? '', resource.type, leaf.additionalInfo);
  const what = resource.type || resource.name ? `resource ${[resource.type, resource.name].filter(Boolean).join(' ')}` : 'the deployment';
  return `${what}: ${cause}; fix: ${fix}`;
}

/** The innermost error that says something (a DeploymentFailed around a StorageAccountAlreadyTaken). */
function leafError(error: ErrorResponse | undefined): ErrorResponse | undefined {
  if (!error) return undefined;
  const inner = error.details?.find((detail) => detail.code);
  if (inner && (WRAPPERS.has(error.code ?? '') || !error.message)) return leafError(inner);
  return error;
}

/** Without operations (refused at validation): every detail that is not a wrapper, its target as the resource. */
function fromDetails(error: ErrorResponse): FailedResource[] {
  if (WRAPPERS.has(error.code ?? '') && error.details?.length) return error.details.flatMap(fromDetails);
  const target = error.target ?? /[Rr]esource '([^']+)'/.exec(error.message ?? '')?.[1];
  const fromId = target ? /\/providers\/([^/]+\/[^/]+)\/([^/]+)$/.exec(target) : null;
  return [{ type: fromId?.[1], name: fromId ? fromId[2] : target, error }];
}

interface Explained {
  cause: string;
  fix: string;
}

function classify(code: string, message: string, type: string | undefined, additionalInfo?: ErrorResponse['additionalInfo']): Explained {
  const said = `${code}${message ? `: ${firstSentences(message)}` : ''}`;
  const namespace = type?.split('/')[0];
  if (code === 'RequestDisallowedByPolicy') {
    const assignment = policyAssignment(message, additionalInfo);
    return {
      cause: `refused by Azure Policy${assignment ? ` (assignment "${assignment}")` : ''} (${said})`,
      fix: 'ask your Azure administrator for a policy exemption for this resource, or change the parameter the policy targets (another --location for an allowed-locations policy, another --sku for an allowed-SKUs policy)',
    };
  }
  if (/QuotaExceeded|OverQuota|Quota/i.test(code) || /additional quota|quota of \d+|exceed(s|ed)? .*quota/i.test(message)) {
    return {
      cause: `not enough quota in this subscription and region (${said})`,
      fix: 'pass another --sku or --location, or request more quota (portal: Subscriptions > Usage + quotas, or a support request of type "Service and subscription limits (quotas)")',
    };
  }
  if (code === 'MissingSubscriptionRegistration') {
    const missing = /namespace '([^']+)'/i.exec(message)?.[1] ?? namespace ?? '<namespace>';
    return { cause: `the subscription is not registered for ${missing} (${said})`, fix: `run \`az provider register --namespace ${missing}\`, wait until it says Registered, publish again` };
  }
  if (/^(LocationNotAvailableForResourceType|NoRegisteredProviderFound|SkuNotAvailable|LocationNotAvailable)$/.test(code)) {
    const listing = namespace ? ` (\`az provider show -n ${namespace} --query "resourceTypes[?resourceType=='${type?.split('/')[1] ?? ''}'].locations"\` lists the regions)` : '';
    return { cause: `not offered in this region${code === 'SkuNotAvailable' ? ' with this SKU' : ''} (${said})`, fix: `pass another --location${listing}` };
  }
  if (/AlreadyTaken|AlreadyExists|NameNotAvailable|NameInUse/i.test(code) || (/^Conflict$/i.test(code) && /already (exists|taken|in use)|not available/i.test(message))) {
    return { cause: `the name is taken, maybe in another subscription (${said})`, fix: 'pass another --name: every resource name is made from it (<name>-plan, the storage account <name without hyphens>hist, <name>-redis, ...)' };
  }
  if (code === 'AuthorizationFailed' || code === 'LinkedAuthorizationFailed') {
    const roles = /Microsoft\.Authorization\/roleAssignments\/write/i.test(message);
    return {
      cause: `missing permission (${said})`,
      fix: roles
        ? 'the template gives the web app\'s identity roles on the storage account: ask for "User Access Administrator" or "Role Based Access Control Administrator" on the subscription or group, beside "Contributor"'
        : 'ask for "Contributor" on the subscription (the template creates the resource group), plus "User Access Administrator" or "Role Based Access Control Administrator" for its role assignments',
    };
  }
  if (code === 'InvalidDeploymentLocation') {
    return { cause: `an earlier deployment of this name was made in another region (${said})`, fix: 'pass the same --location as before, or delete the old record: az deployment sub delete --name <deployment>' };
  }
  if (code === 'DeploymentActive') {
    return { cause: `another publish of this app is still deploying (${said})`, fix: 'wait for it to finish (az deployment sub show --name <deployment>), then publish again' };
  }
  return { cause: said || 'failed without a reason', fix: 'see Azure\'s message; the portal\'s Deployments page of the subscription shows the operation' };
}

/** Azure names the assignment in additionalInfo (PolicyViolation) and, in older messages, as JSON inside the text. */
function policyAssignment(message: string, additionalInfo: ErrorResponse['additionalInfo']): string | undefined {
  for (const { type, info } of additionalInfo ?? []) {
    const details = info as { policyAssignmentDisplayName?: string; policyAssignmentName?: string } | undefined;
    if (type === 'PolicyViolation' && details) return details.policyAssignmentDisplayName || details.policyAssignmentName;
  }
  return /\\?"policyAssignment\\?":\s*\{\\?"name\\?":\s*\\?"([^"\\]+)/.exec(message)?.[1];
}

/** Azure's messages run long (policy JSON, links): the first two sentences carry the cause. */
function firstSentences(message: string): string {
  const text = message.split('\n')[0] ?? message;
  return text.split(/(?<=\.)\s+/).slice(0, 2).join(' ').trim().slice(0, 400);
}
