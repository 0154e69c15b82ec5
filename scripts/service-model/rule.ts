import type { ServiceModel } from './model.js';
import type { Problem } from './problem.js';

/** The environment variables the role's code reads, and where that list is kept. */
export interface RoleSettings {
  names: readonly string[];
  /** Named in messages, e.g. `SETTINGS in WorkerRole1/src/server/config/settings.ts`. */
  source: string;
  /**
   * What the role would say of a setting's value at start, in words (`"soon" is not a whole number
   * ...`), none when it accepts it; absent, values are not checked.
   */
  valueProblems?: (name: string, value: string) => string[];
}

export interface RuleContext {
  model: ServiceModel;
  roleSettings: RoleSettings;
  /** Whether to require the files a build produces (the entry point's script). */
  checkBuild: boolean;
}

/** One check of the service model; returns every problem it finds, none when the model passes. */
export type Rule = (context: RuleContext) => Problem[];
