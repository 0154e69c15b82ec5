import type { Rule } from '../rule.js';
import { entryPointRunsTheBuiltServer } from './entry-point.js';
import { inputEndpointsAreDistinct } from './endpoints.js';
import { instanceCountsArePositive } from './instances.js';
import { cloudHasNetworkConfiguration } from './network-configuration.js';
import { osFamilyIsSupported } from './os-family.js';
import { probesAreValid } from './probes.js';
import { roleEnvironmentMapsEverySetting } from './role-environment.js';
import { sameRolesEverywhere } from './roles.js';
import { serviceNameMatchesDefinition } from './service-name.js';
import { settingValuesAreAccepted } from './setting-values.js';
import { settingsDeclaredAndValued } from './settings.js';
import { startupScriptsShipAsAscii } from './startup-tasks.js';
import { rolesUseArmVmSizes } from './vm-size.js';

/** Every rule, in the order their problems are listed when several share a line. */
export const ALL_RULES: readonly Rule[] = [
  serviceNameMatchesDefinition,
  sameRolesEverywhere,
  rolesUseArmVmSizes,
  settingsDeclaredAndValued,
  settingValuesAreAccepted,
  inputEndpointsAreDistinct,
  probesAreValid,
  instanceCountsArePositive,
  osFamilyIsSupported,
  startupScriptsShipAsAscii,
  entryPointRunsTheBuiltServer,
  cloudHasNetworkConfiguration,
  roleEnvironmentMapsEverySetting,
];
