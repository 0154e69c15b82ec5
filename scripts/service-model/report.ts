import type { ServiceModel } from './model.js';
import { type Problem, formatProblem } from './problem.js';

/** One `file:line: message` line per problem. */
export function problemLines(problems: readonly Problem[]): string[] {
  return problems.map(formatProblem);
}

/** The single line printed when everything passes: what was checked, and what was not. */
export function okSummary(model: ServiceModel, checkBuild: boolean): string {
  const files = [model.definition.file, ...model.configurations.map(({ file }) => file)].join(', ');
  const roles = model.definition.roles;
  const settings = roles.reduce((total, role) => total + role.settings.length, 0);
  const endpoints = roles.reduce((total, role) => total + role.inputEndpoints.length, 0);
  const build = checkBuild ? 'entry point built' : 'build output not checked (--no-build-check)';
  return `service model OK: ${files}: ${count(roles.length, 'role')}, ${count(settings, 'setting')}, ${count(endpoints, 'endpoint')}; ${build}`;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}
