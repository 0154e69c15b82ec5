import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

/** Azure pairs a configuration with its definition by name; they must agree. */
export const serviceNameMatchesDefinition: Rule = ({ model }) => {
  const { definition } = model;
  const problems: Problem[] = [];
  if (!definition.name) {
    problems.push({ file: definition.file, line: definition.line, message: '<ServiceDefinition> has no name' });
    return problems;
  }
  for (const configuration of model.configurations) {
    const { serviceName, file, line } = configuration;
    if (serviceName === undefined) {
      problems.push({ file, line, message: `<ServiceConfiguration> has no serviceName; it must be "${definition.name}", the name in ${definition.file}` });
    } else if (serviceName !== definition.name) {
      problems.push({ file, line, message: `serviceName "${serviceName}" does not match the name "${definition.name}" in ${definition.file}` });
    }
  }
  return problems;
};
