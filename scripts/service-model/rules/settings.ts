import { findDuplicates } from '../duplicates.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';
import { configuredRoles } from './configured-roles.js';

/**
 * Azure refuses a configuration that leaves a declared setting without a value or values one the
 * definition does not declare. Both sides are named, each at its own line.
 */
export const settingsDeclaredAndValued: Rule = ({ model }) => {
  const { definition } = model;
  const problems: Problem[] = [];

  for (const role of definition.roles) {
    for (const setting of role.settings) {
      if (!setting.name) problems.push({ file: definition.file, line: setting.line, message: `<Setting> in role ${role.name} has no name` });
    }
    for (const [setting, first] of findDuplicates(role.settings, (setting) => setting.name)) {
      problems.push({
        file: definition.file,
        line: setting.line,
        message: `setting ${setting.name} is declared twice in role ${role.name} (first at line ${first.line})`,
      });
    }
  }

  for (const { definition: declared, configuration, role } of configuredRoles(model)) {
    const { file } = configuration;
    for (const setting of role.settings) {
      if (!setting.name) {
        problems.push({ file, line: setting.line, message: `<Setting> in role ${role.name} has no name` });
      } else if (!declared.settings.some((candidate) => candidate.name === setting.name)) {
        problems.push({
          file,
          line: setting.line,
          message: `setting ${setting.name} is not declared in role ${role.name} of ${definition.file}`,
        });
      }
      if (setting.name && setting.value === undefined) {
        problems.push({ file, line: setting.line, message: `setting ${setting.name} has no value attribute (use value="" for an empty one)` });
      }
    }
    for (const [setting, first] of findDuplicates(role.settings, (setting) => setting.name)) {
      problems.push({ file, line: setting.line, message: `setting ${setting.name} is valued twice in role ${role.name} (first at line ${first.line})` });
    }
    for (const setting of declared.settings) {
      if (setting.name && !role.settings.some((candidate) => candidate.name === setting.name)) {
        problems.push({
          file,
          line: role.settingsLine ?? role.line,
          message: `role ${role.name} has no value for setting ${setting.name}, declared at ${definition.file}:${setting.line}`,
        });
      }
    }
  }
  return problems;
};
