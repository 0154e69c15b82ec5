import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../../scripts/service-model/problem.js';
import type { RoleSettings } from '../../scripts/service-model/rule.js';
import { validateServiceModel } from '../../scripts/service-model/validate-service-model.js';

/**
 * Broken services for the validator's tests: a copy of a valid service (the small fixture, or the
 * repository's own files) with one targeted change. Each change must match exactly once, so a test
 * fails loudly instead of silently testing nothing when the fixture changes.
 */

export const FIXTURE_ROOT = fileURLToPath(new URL('fixtures/service-model/', import.meta.url));
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the fixture's role reads; tests pass their own list instead of the real SETTING_NAMES. */
export const FIXTURE_ROLE_SETTINGS: RoleSettings = {
  names: ['PORT', 'INSTANCE_ID', 'LOG_LEVEL', 'ALLOWED_ORIGINS'],
  source: 'the fixture role settings',
};

export interface Edit {
  file: string;
  replace: string;
  with: string;
}

/** `file`'s single occurrence of `replace` becomes `replacement`. */
export function edit(file: string, replace: string, replacement: string): Edit {
  return { file, replace, with: replacement };
}

export interface CopyOptions {
  /** The service to copy; the fixture by default. */
  from?: string;
  edits?: Edit[];
  /** Write the build output the entry point runs (WorkerRole1/dist/server/main.js). Default true. */
  built?: boolean;
  /** Anything an edit cannot express, such as raw bytes. */
  setup?: (root: string) => void;
}

const copies: string[] = [];

/** A temporary copy of a service's csdef, cscfg files and startup scripts, with the edits applied. */
export function copyService({ from = FIXTURE_ROOT, edits = [], built = true, setup }: CopyOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'chatapp-service-'));
  copies.push(root);
  for (const name of readdirSync(from)) {
    if (name.endsWith('.csdef') || name.endsWith('.cscfg')) cpSync(join(from, name), join(root, name));
  }
  const startup = join(from, 'WorkerRole1', 'startup');
  if (existsSync(startup)) cpSync(startup, join(root, 'WorkerRole1', 'startup'), { recursive: true });
  if (built) {
    mkdirSync(join(root, 'WorkerRole1', 'dist', 'server'), { recursive: true });
    writeFileSync(join(root, 'WorkerRole1', 'dist', 'server', 'main.js'), '// stands in for the compiled server\n');
  }
  for (const change of edits) {
    const path = join(root, change.file);
    writeFileSync(path, replaceOnce(readFileSync(path, 'utf8'), change, path));
  }
  setup?.(root);
  return root;
}

function replaceOnce(text: string, change: Edit, path: string): string {
  const count = text.split(change.replace).length - 1;
  if (count !== 1) throw new Error(`edit expects ${JSON.stringify(change.replace)} once in ${path}, found it ${count} times`);
  return text.replace(change.replace, () => change.with);
}

export function removeServiceCopies(): void {
  for (const root of copies.splice(0)) rmSync(root, { recursive: true, force: true });
}

export interface ValidateOptions {
  checkBuild?: boolean;
  roleSettings?: RoleSettings;
}

/** The validator's problems for the service in `root`, formatted as the CLI prints them. */
export function problemsIn(root: string, { checkBuild = true, roleSettings = FIXTURE_ROLE_SETTINGS }: ValidateOptions = {}): string[] {
  return validateServiceModel({ root, roleSettings, checkBuild }).problems.map(formatProblem);
}

/** Copies the fixture with `edits` applied and validates it. */
export function problemsAfter(edits: Edit[], options: ValidateOptions & Omit<CopyOptions, 'edits'> = {}): string[] {
  return problemsIn(copyService({ ...options, edits }), options);
}

/** The 1-based line of the only line of `text` that contains `needle`. */
export function lineContaining(text: string, needle: string): number {
  const lines = text.split('\n');
  const matches = lines.flatMap((line, index) => (line.includes(needle) ? [index + 1] : []));
  if (matches.length !== 1) throw new Error(`expected one line containing ${JSON.stringify(needle)}, found ${matches.length}`);
  return matches[0] ?? 0;
}
