import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';
import { parseWholeNumber } from '../whole-number.js';

/** Every configured role runs at least one instance. */
export const instanceCountsArePositive: Rule = ({ model }) => {
  const problems: Problem[] = [];
  for (const { file, roles } of model.configurations) {
    for (const role of roles) {
      if (!role.instances) {
        problems.push({ file, line: role.line, message: `role ${role.name} has no <Instances count="..."/>` });
        continue;
      }
      const count = parseWholeNumber(role.instances.count);
      if (count === undefined || count < 1) {
        const shown = role.instances.count === undefined ? 'is missing' : `"${role.instances.count}" is not a whole number of at least 1`;
        problems.push({ file, line: role.instances.line, message: `role ${role.name} Instances count ${shown}` });
      }
    }
  }
  return problems;
};
