import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { AUTHORIZATION_API_VERSION } from './api-versions.js';
import { type AzureClients, getOrUndefined } from './arm-client.js';
import type { PlannedResource } from './plan.js';

/**
 * The signed-in identity's "Storage Blob Data Contributor" role on the storage account: the upload
 * and its user delegation SAS sign in with Microsoft Entra, and on a new account nobody has a data
 * role yet (not even its creator; Owner and Contributor cover management, not data).
 */
export const STORAGE_BLOB_DATA_CONTRIBUTOR = { name: 'Storage Blob Data Contributor', id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' };

export interface SignedInPrincipal {
  objectId: string;
  /** Sent when known: Azure then does not wait for a new principal to replicate before assigning. */
  type?: 'User' | 'ServicePrincipal';
}

export interface RoleAssignmentBody {
  properties: { roleDefinitionId: string; principalId: string; principalType?: 'User' | 'ServicePrincipal' };
}

/**
 * Who is signed in, from the Resource Manager token publish already holds: its `oid` claim is the
 * object id a role assignment names, `idtyp` says user or application. The token is not trusted for
 * anything here (Resource Manager checks it on every call); reading it saves a Microsoft Graph call
 * and the Graph permission that would need. Undefined when the token is not a JWT.
 */
export async function signedInPrincipal(credential: TokenCredential): Promise<SignedInPrincipal | undefined> {
  const token = await credential.getToken('https://management.azure.com/.default');
  const payload = token?.token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown; idtyp?: unknown };
    if (typeof claims.oid !== 'string' || !/^[0-9a-f-]{36}$/i.test(claims.oid)) return undefined;
    const type = claims.idtyp === 'user' ? 'User' : claims.idtyp === 'app' ? 'ServicePrincipal' : undefined;
    return { objectId: claims.oid, ...(type ? { type } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The assignment's name is a GUID derived from scope, principal and role (as Bicep's guid() does),
 * so a second publish looks up the same assignment instead of adding another.
 */
export function planRoleAssignment(subscription: string, scope: string, principal: SignedInPrincipal): PlannedResource<RoleAssignmentBody> {
  const role = STORAGE_BLOB_DATA_CONTRIBUTOR.id;
  const hex = createHash('sha256').update(`${scope.toLowerCase()}|${principal.objectId.toLowerCase()}|${role}`).digest('hex');
  const name = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return {
    name,
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    body: {
      properties: {
        roleDefinitionId: `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
        principalId: principal.objectId,
        ...(principal.type ? { principalType: principal.type } : {}),
      },
    },
  };
}

export type RoleOutcome = 'created' | 'exists' | 'not allowed';

/**
 * Assigns the role unless the assignment is there. Assigning needs
 * Microsoft.Authorization/roleAssignments/write (Owner, User Access Administrator), which a
 * Contributor lacks: then 'not allowed', and the upload shows whether a role given some other way
 * (a group, a higher scope) is enough. Through arm-resources' generic by-id calls, so no
 * @azure/arm-authorization dependency for one PUT.
 */
export async function ensureRoleAssignment(clients: AzureClients, planned: PlannedResource<RoleAssignmentBody>): Promise<RoleOutcome> {
  // Without its leading slash: arm-resources builds the URL as `/{resourceId}`, and a `//subscriptions`
  // there would be read as a host name (the stand-in Resource Manager's path check caught this).
  const id = planned.id.replace(/^\//, '');
  try {
    const existing = await getOrUndefined(() => clients.resources.resources.getById(id, AUTHORIZATION_API_VERSION));
    if (existing) return 'exists';
    await clients.resources.resources.beginCreateOrUpdateByIdAndWait(id, AUTHORIZATION_API_VERSION, planned.body, {
      updateIntervalInMs: clients.pollIntervalMs,
    });
    return 'created';
  } catch (error) {
    const { statusCode, code } = error as { statusCode?: number; code?: string };
    // The same principal, role and scope under another name: assigned by hand or by a template.
    if (code === 'RoleAssignmentExists') return 'exists';
    if (statusCode === 403 || code === 'AuthorizationFailed') return 'not allowed';
    throw error;
  }
}

/** What to run, or ask an Owner to run, when publish could not assign the role itself. */
export function assignRoleCommand(scope: string, principal: SignedInPrincipal | undefined): string {
  const assignee = principal?.objectId ?? '"$(az ad signed-in-user show --query id -o tsv)"';
  return `az role assignment create --assignee ${assignee} --role "${STORAGE_BLOB_DATA_CONTRIBUTOR.name}" --scope ${scope}`;
}
