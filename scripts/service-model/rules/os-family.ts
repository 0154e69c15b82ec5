import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

/** Guest OS families Azure still runs, newest last. */
const SUPPORTED_FAMILIES: Record<string, string> = {
  '5': 'Windows Server 2016',
  '6': 'Windows Server 2019',
  '7': 'Windows Server 2022',
};
/** Families Azure has retired: deployments that ask for them fail. */
const RETIRED_FAMILIES: Record<string, string> = {
  '1': 'Windows Server 2008 SP2',
  '2': 'Windows Server 2008 R2',
  '3': 'Windows Server 2012',
  '4': 'Windows Server 2012 R2',
};

const SUPPORTED_LIST = `${Object.keys(SUPPORTED_FAMILIES).join(', ')} (7 is ${SUPPORTED_FAMILIES['7']})`;

/** Each configuration asks for a Guest OS family that Azure still supports. */
export const osFamilyIsSupported: Rule = ({ model }) => {
  const problems: Problem[] = [];
  for (const { file, line, osFamily } of model.configurations) {
    if (osFamily === undefined) {
      problems.push({ file, line, message: `osFamily is missing; set a supported Guest OS family: ${SUPPORTED_LIST}` });
    } else if (RETIRED_FAMILIES[osFamily]) {
      problems.push({ file, line, message: `osFamily="${osFamily}" (${RETIRED_FAMILIES[osFamily]}) is retired; use ${SUPPORTED_LIST}` });
    } else if (!SUPPORTED_FAMILIES[osFamily]) {
      problems.push({ file, line, message: `osFamily="${osFamily}" is not a Guest OS family Azure offers; use ${SUPPORTED_LIST}` });
    }
  }
  return problems;
};
