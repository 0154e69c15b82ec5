import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadServiceFile } from './load-service-file.js';
import type { ServiceConfiguration, ServiceModel } from './model.js';
import { type Problem, sortProblems } from './problem.js';
import { readConfiguration } from './read-configuration.js';
import { readDefinition } from './read-definition.js';
import type { RoleSettings } from './rule.js';
import { ALL_RULES } from './rules/all-rules.js';
import {
  CONFIGURATION_FILE_PATTERN,
  CONFIGURATION_NAMESPACE,
  DEFINITION_FILE,
  DEFINITION_NAMESPACE,
  REQUIRED_CONFIGURATION_FILES,
} from './service-files.js';

export interface ValidationOptions {
  /** The folder holding ServiceDefinition.csdef, the .cscfg files and the role folders. */
  root: string;
  roleSettings: RoleSettings;
  /** Require what `npm run build` produces; off for a fresh clone that has not built yet. */
  checkBuild: boolean;
}

export interface ValidationResult {
  problems: Problem[];
  /** Present when every file loaded, i.e. when the rules could run. */
  model: ServiceModel | undefined;
}

/**
 * Loads the csdef and every cscfg under `root` and runs every rule. When a file is missing or not
 * the XML it should be, only that is reported: rules on a half-read model would mostly repeat it.
 */
export function validateServiceModel(options: ValidationOptions): ValidationResult {
  const root = resolve(options.root);
  const definitionFile = loadServiceFile(root, DEFINITION_FILE, 'ServiceDefinition', DEFINITION_NAMESPACE);
  const configurationFiles = configurationFilesIn(root).map((file) => ({
    file,
    loaded: loadServiceFile(root, file, 'ServiceConfiguration', CONFIGURATION_NAMESPACE),
  }));

  const loadProblems = [definitionFile, ...configurationFiles.map(({ loaded }) => loaded)].flatMap((loaded) => loaded.problems);
  if (loadProblems.length > 0 || !definitionFile.root) return { problems: sortProblems(loadProblems), model: undefined };

  const configurations: ServiceConfiguration[] = configurationFiles.flatMap(({ file, loaded }) =>
    loaded.root ? [readConfiguration(file, loaded.root)] : [],
  );
  const model: ServiceModel = { root, definition: readDefinition(DEFINITION_FILE, definitionFile.root), configurations };
  const context = { model, roleSettings: options.roleSettings, checkBuild: options.checkBuild };
  return { problems: sortProblems(ALL_RULES.flatMap((rule) => rule(context))), model };
}

/** Cloud and Local always (a missing one is reported), plus any other ServiceConfiguration.*.cscfg. */
function configurationFilesIn(root: string): string[] {
  const present = existsSync(root) ? readdirSync(root).filter((name) => CONFIGURATION_FILE_PATTERN.test(name)) : [];
  return [...new Set([...REQUIRED_CONFIGURATION_FILES, ...present.sort()])];
}
