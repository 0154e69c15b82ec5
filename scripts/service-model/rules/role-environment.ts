import { findDuplicates } from '../duplicates.js';
import type { EnvironmentVariable, RoleDefinition } from '../model.js';
import type { Problem } from '../problem.js';
import {
  INSTANCE_ID_XPATH,
  configurationSettingXPath,
  endpointOfPortXPath,
  endpointPortXPath,
  isInstanceIdXPath,
  settingOfXPath,
} from '../role-instance-xpaths.js';
import type { RoleSettings, Rule } from '../rule.js';

/**
 * A cscfg value reaches Node only through a `<Runtime><Environment>` variable, so every variable
 * the role's code reads must be mapped there, from the right place: PORT from the endpoint's port,
 * INSTANCE_ID from the instance id, anything else from the configuration setting of the same name.
 * Conversely every xpath must name a declared setting, and every declared setting must be read.
 */
export const roleEnvironmentMapsEverySetting: Rule = ({ model, roleSettings }) => {
  const { file } = model.definition;
  const problems: Problem[] = [];
  for (const role of model.definition.roles) {
    if (!role.name) continue;
    const at = (line: number, message: string) => problems.push({ file, line, message });

    for (const [variable, first] of findDuplicates(role.environment, (variable) => variable.name)) {
      at(variable.line, `environment variable ${variable.name} is set twice in role ${role.name} (first at line ${first.line})`);
    }
    // Reported once: a variable that reads an undeclared setting is not also "wrongly sourced".
    const readsUndeclared = new Set<EnvironmentVariable>();
    for (const variable of [...role.environment, ...role.startupTasks.flatMap((task) => task.environment)]) {
      const setting = variable.xpath === undefined ? undefined : settingOfXPath(variable.xpath);
      if (setting !== undefined && !role.settings.some((declared) => declared.name === setting)) {
        readsUndeclared.add(variable);
        at(variable.line, `variable ${variable.name} reads setting ${setting}, which role ${role.name} does not declare under <ConfigurationSettings>`);
      }
    }
    for (const name of roleSettings.names) {
      const variable = role.environment.find((candidate) => candidate.name === name);
      if (!variable) {
        at(
          role.environmentLine ?? role.runtimeLine ?? role.line,
          `role ${role.name} does not map ${name}, which the role reads (${roleSettings.source}); add <Variable name="${name}"> with <RoleInstanceValue xpath="${expectedXPath(role, name)}"/> under <Runtime><Environment>`,
        );
        continue;
      }
      const wrong = readsUndeclared.has(variable) ? undefined : wrongSource(role, name, variable);
      if (wrong) at(variable.line, wrong);
    }
    for (const setting of role.settings) {
      const read = role.environment.some((variable) => variable.xpath !== undefined && settingOfXPath(variable.xpath) === setting.name);
      if (setting.name && !read) {
        at(setting.line, `setting ${setting.name} is declared but no <Runtime><Environment> variable reads it, so the role never sees its value`);
      }
    }
  }
  return problems;
};

/** The xpath a role-read variable should use, for the message that tells how to add it. */
function expectedXPath(role: RoleDefinition, name: string): string {
  if (name === 'PORT') return endpointPortXPath(role.inputEndpoints[0]?.name ?? 'HttpIn');
  if (name === 'INSTANCE_ID') return INSTANCE_ID_XPATH;
  return configurationSettingXPath(name);
}

/** Why `variable` does not deliver what the role expects under `name`, or undefined if it does. */
function wrongSource(role: RoleDefinition, name: string, variable: EnvironmentVariable): string | undefined {
  const xpath = variable.xpath;
  if (name === 'PORT') {
    const endpoint = xpath === undefined ? undefined : endpointOfPortXPath(xpath);
    if (endpoint === undefined) return `PORT must read the input endpoint's port: ${expectedXPath(role, name)}`;
    if (!role.inputEndpoints.some((candidate) => candidate.name === endpoint)) {
      return `PORT reads the port of endpoint ${endpoint}, which role ${role.name} does not declare`;
    }
    return undefined;
  }
  if (name === 'INSTANCE_ID') {
    return xpath !== undefined && isInstanceIdXPath(xpath) ? undefined : `INSTANCE_ID must read the instance id: ${INSTANCE_ID_XPATH}`;
  }
  if (xpath !== undefined && settingOfXPath(xpath) === name) return undefined;
  return `${name} must read its configuration setting, so the cscfg value reaches the role: ${configurationSettingXPath(name)}`;
}
