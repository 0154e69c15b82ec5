import { endpointOfPortXPath, isInstanceIdXPath, settingOfXPath } from '../service-model/role-instance-xpaths.js';
import type { EmulatedRole } from './emulated-role.js';

const EMULATED_XPATH = '/RoleEnvironment/Deployment/@emulated';

/** Azure's instance ids: `WorkerRole1_IN_0`, `WorkerRole1_IN_1`, ... */
export function instanceId(roleName: string, index: number): string {
  return `${roleName}_IN_${index}`;
}

/**
 * The variables one instance gets, as Azure fills in the csdef's Runtime/Environment: the
 * endpoint's port is the instance's own port (on Azure every VM listens on the endpoint port; here
 * the instances share one machine, so each has its own and the load balancer maps to it), the
 * instance id, and each setting from the cscfg. An empty setting stays unset so that the role's
 * default applies, as its settings module expects.
 */
export function roleEnvironment(role: EmulatedRole, id: string, port: number): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const variable of role.environment) {
    const value = variable.xpath === undefined ? variable.value : valueOf(variable.xpath, role, id, port);
    if (value !== undefined && value !== '') environment[variable.name] = value;
  }
  return environment;
}

function valueOf(xpath: string, role: EmulatedRole, id: string, port: number): string | undefined {
  if (isInstanceIdXPath(xpath)) return id;
  if (xpath.trim() === EMULATED_XPATH) return 'true';
  const endpoint = endpointOfPortXPath(xpath);
  if (endpoint !== undefined) return endpoint === role.endpoint.name ? String(port) : undefined;
  const setting = settingOfXPath(xpath);
  return setting === undefined ? undefined : role.settings.get(setting);
}

/** Every variable the csdef gives the role: none of them may leak in from the developer's shell. */
export function roleVariableNames(role: EmulatedRole): string[] {
  return role.environment.map((variable) => variable.name);
}
