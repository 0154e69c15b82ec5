import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

/** ARM size names (Standard_D1_v2, Standard_A1_v2, ...); classic names such as Small are refused. */
const ARM_VM_SIZE = /^(Standard|Basic)_[A-Za-z0-9_]+$/;

/** Cloud Services (extended support) deploys through ARM and only knows ARM VM size names. */
export const rolesUseArmVmSizes: Rule = ({ model }) => {
  const { definition } = model;
  const problems: Problem[] = [];
  for (const role of definition.roles) {
    const label = `role ${role.name ?? '(unnamed)'}`;
    if (role.vmsize === undefined) {
      problems.push({
        file: definition.file,
        line: role.line,
        message: `${label} has no vmsize; the default (Small) is a classic size that extended support refuses, use an ARM size such as Standard_D1_v2`,
      });
    } else if (!ARM_VM_SIZE.test(role.vmsize)) {
      problems.push({
        file: definition.file,
        line: role.line,
        message: `${label} vmsize "${role.vmsize}" is not an ARM size name; extended support needs one such as Standard_D1_v2`,
      });
    }
  }
  return problems;
};
