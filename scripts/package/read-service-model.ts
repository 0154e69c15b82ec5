import type { RoleDefinition, ServiceConfiguration, ServiceModel } from '../service-model/model.js';
import { problemLines } from '../service-model/report.js';
import { CHATAPP_ROLE_SETTINGS } from '../service-model/role-settings.js';
import { CLOUD_CONFIGURATION_FILE } from '../service-model/service-files.js';
import { validateServiceModel } from '../service-model/validate-service-model.js';

export interface ValidServiceModel {
  model: ServiceModel;
  /** ServiceConfiguration.Cloud.cscfg, the one Azure gets. */
  cloud: ServiceConfiguration;
}

/**
 * The csdef and cscfg files as data, through the same validator as `npm run validate`, so packaging
 * and publishing never act on a service model Azure would reject. Throws with the validator's
 * `file:line: message` lines.
 */
export function readValidServiceModel(root: string, checkBuild: boolean): ValidServiceModel {
  const { problems, model } = validateServiceModel({
    root,
    roleSettings: CHATAPP_ROLE_SETTINGS,
    checkBuild,
  });
  if (problems.length > 0 || !model) {
    throw new Error(`the service model has problems (npm run validate shows the same):\n${problemLines(problems).join('\n')}`);
  }
  const cloud = model.configurations.find((configuration) => configuration.file === CLOUD_CONFIGURATION_FILE);
  if (!cloud) throw new Error(`${CLOUD_CONFIGURATION_FILE} is missing`);
  return { model, cloud };
}

/** The one role this service has; packaging and publishing are written for a single worker role. */
export function singleRole(model: ServiceModel): RoleDefinition & { name: string } {
  const [role, ...others] = model.definition.roles;
  if (!role?.name || others.length > 0) {
    throw new Error(`expected exactly one role in the csdef, found ${model.definition.roles.length}`);
  }
  return role as RoleDefinition & { name: string };
}
