import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPOSITORY_ROOT } from './service-copy.js';

/**
 * What can be checked of the PowerShell scripts without PowerShell, so it holds on every machine:
 * each npm script they call exists, each has the shape every wrapper promises, and none does
 * Azure's work itself. test/powershell runs them for real under pwsh (Pester).
 */

const SCRIPTS_FOLDER = join(REPOSITORY_ROOT, 'scripts');
const WRAPPERS = readdirSync(SCRIPTS_FOLDER).filter((name) => name.endsWith('.ps1')).sort();
const PACKAGE_SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {},
);

/**
 * npm scripts a wrapper already calls but that another part of the work adds to package.json.
 * Their checks are reported as TODO until then; remove an entry once its script exists.
 */
const AWAITED_SCRIPTS: Record<string, string> = {};

/**
 * `npm run <name>`, `npm run-script <name>` and npm's own shortcuts (`npm start`, `npm test`) in
 * the script's code; help blocks and comments only mention commands, so they are left out.
 */
function npmScriptsCalledBy(source: string): string[] {
  const code = source.replace(/<#[\s\S]*?#>/g, '').replace(/#.*$/gm, '');
  const names = new Set<string>();
  for (const match of code.matchAll(/\bnpm(?:\.cmd)?\s+(?:run(?:-script)?\s+'?([\w:.-]+)'?|(start|test|stop|restart)\b)/g)) {
    names.add(match[1] ?? match[2] ?? '');
  }
  return [...names].sort();
}

test('the PowerShell wrappers are the four the README documents', () => {
  assert.deepEqual(WRAPPERS, ['Build-Service.ps1', 'Publish-Service.ps1', 'Start-Emulator.ps1', 'Stop-Emulator.ps1']);
});

for (const wrapper of WRAPPERS) {
  const source = readFileSync(join(SCRIPTS_FOLDER, wrapper), 'utf8');
  const called = npmScriptsCalledBy(source);

  test(`${wrapper} calls at least one npm script`, () => {
    assert.notDeepEqual(called, []);
  });

  for (const name of called) {
    const awaited = PACKAGE_SCRIPTS.includes(name) ? undefined : AWAITED_SCRIPTS[name];
    test(`${wrapper} calls npm script "${name}", which package.json defines`, { todo: awaited }, () => {
      assert.ok(PACKAGE_SCRIPTS.includes(name), `package.json has no "${name}" script; defined: ${PACKAGE_SCRIPTS.join(', ')}`);
    });
  }

  test(`${wrapper} has comment-based help, strict mode, stops on errors and passes on the exit code`, () => {
    assert.match(source, /^<#[\s\S]*?\.SYNOPSIS[\s\S]*?\.DESCRIPTION[\s\S]*?\.EXAMPLE[\s\S]*?#>/);
    assert.match(source, /^Set-StrictMode -Version Latest$/m);
    assert.match(source, /^\$ErrorActionPreference = 'Stop'$/m);
    assert.match(source, /\$LASTEXITCODE/);
    assert.match(source, /^exit /m);
  });

  test(`${wrapper} leaves Azure to npm: it calls no Azure PowerShell cmdlet`, () => {
    const code = source.replace(/<#[\s\S]*?#>/g, '').replace(/#.*$/gm, '');
    assert.deepEqual(code.match(/\b[A-Z][a-z]+-Az[A-Z]\w*/g) ?? [], []);
  });
}

test('Start-Emulator.ps1 passes -Instances, -Port and -Fresh to the emulator as --instances, --port and --fresh', () => {
  const source = readFileSync(join(SCRIPTS_FOLDER, 'Start-Emulator.ps1'), 'utf8');
  assert.match(source, /'--instances', "\$Instances"/);
  assert.match(source, /'--port', "\$Port"/);
  assert.match(source, /'--fresh'/);
  // A bare -- is swallowed by npm's PowerShell shim (npm/cli#3136); it must be quoted.
  assert.match(source, /& npm run emulator '--' @emulatorArguments/);
});
