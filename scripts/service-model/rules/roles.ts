import { findDuplicates } from '../duplicates.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

/** Azure rejects a configuration whose roles are not exactly the definition's roles. */
export const sameRolesEverywhere: Rule = ({ model }) => {
  const { definition } = model;
  const problems: Problem[] = [];
  if (definition.roles.length === 0) {
    problems.push({ file: definition.file, line: definition.line, message: 'defines no role; chatapp needs its WorkerRole' });
  }
  for (const role of definition.roles) {
    if (!role.name) problems.push({ file: definition.file, line: role.line, message: `<${role.kind}> has no name` });
  }
  for (const [role, first] of findDuplicates(definition.roles, (role) => role.name)) {
    problems.push({ file: definition.file, line: role.line, message: `role ${role.name} is defined twice (first at line ${first.line})` });
  }

  for (const configuration of model.configurations) {
    const { file } = configuration;
    for (const role of configuration.roles) {
      if (!role.name) {
        problems.push({ file, line: role.line, message: '<Role> has no name' });
      } else if (!definition.roles.some((defined) => defined.name === role.name)) {
        problems.push({ file, line: role.line, message: `role ${role.name} is not defined in ${definition.file}` });
      }
    }
    for (const [role, first] of findDuplicates(configuration.roles, (role) => role.name)) {
      problems.push({ file, line: role.line, message: `role ${role.name} is configured twice (first at line ${first.line})` });
    }
    for (const defined of definition.roles) {
      if (defined.name && !configuration.roles.some((role) => role.name === defined.name)) {
        problems.push({
          file,
          line: configuration.line,
          message: `no <Role name="${defined.name}">; every role in ${definition.file} (line ${defined.line}) needs one`,
        });
      }
    }
  }
  return problems;
};
