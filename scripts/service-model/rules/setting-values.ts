import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';
import { configuredRoles } from './configured-roles.js';

/**
 * Every value a cscfg gives a setting the role reads must be one the role accepts at start: checked
 * with the role's own schema, in the role's own words, at the `<Setting>`'s line. An empty value is
 * the role's default, so it passes.
 */
export const settingValuesAreAccepted: Rule = ({ model, roleSettings }) => {
  const { valueProblems } = roleSettings;
  if (!valueProblems) return [];
  const problems: Problem[] = [];
  for (const { configuration, role } of configuredRoles(model)) {
    for (const setting of role.settings) {
      if (!setting.name || setting.value === undefined || !roleSettings.names.includes(setting.name)) continue;
      for (const message of valueProblems(setting.name, setting.value)) {
        problems.push({ file: configuration.file, line: setting.line, message });
      }
    }
  }
  return problems;
};
