import { settingValueProblems } from '../../WorkerRole1/src/server/config/setting-problems.js';
import { SETTING_NAMES } from '../../WorkerRole1/src/server/config/settings.js';
import type { RoleSettings } from './rule.js';

/** The settings chatapp's role reads, and how it judges their values (its own schema). */
export const CHATAPP_ROLE_SETTINGS: RoleSettings = {
  names: SETTING_NAMES,
  source: 'SETTINGS in WorkerRole1/src/server/config/settings.ts',
  valueProblems: settingValueProblems,
};
