import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPOSITORY_ROOT } from './service-copy.js';

/**
 * What can be checked of the PowerShell scripts without PowerShell, so it holds on every machine:
 * each node command they run is the entry of an npm script (the wrappers run it with node directly,
 * without an npm process in between), each has the shape every wrapper promises, and none does
 * Azure's work itself. test/powershell runs them for real under pwsh (Pester).
 */

const SCRIPTS_FOLDER = join(REPOSITORY_ROOT, 'scripts');
const WRAPPERS = readdirSync(SCRIPTS_FOLDER).filter((name) => name.endsWith('.ps1')).sort();
const PACKAGE_SCRIPTS: Record<string, string> =
  (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};

/**
 * `node [--import tsx] <entry>` of a command; npm puts node_modules/.bin on PATH, so an npm
 * script's `tsx X` is `node --import tsx X`.
 */
function entryOf(command: string): string {
  const words = command.replace(/^tsx /, 'node --import tsx ').split(' ');
  return words.slice(0, words[1] === '--import' ? 4 : 2).join(' ');
}

const NPM_ENTRIES = new Map(Object.entries(PACKAGE_SCRIPTS).map(([name, command]) => [entryOf(command), name]));

/** The `& node ...` commands in the script's code; help blocks and comments only mention commands. */
function nodeCommandsOf(source: string): string[] {
  const code = source.replace(/<#[\s\S]*?#>/g, '').replace(/#.*$/gm, '');
  return [...code.matchAll(/& (node [^@}\r\n]*?)\s*(@\w+)?\s*(}|$)/gm)].map((match) => match[1]!);
}

test('the PowerShell wrappers are the four the README documents', () => {
  assert.deepEqual(WRAPPERS, ['Build-Service.ps1', 'Publish-Service.ps1', 'Start-Emulator.ps1', 'Stop-Emulator.ps1']);
});

for (const wrapper of WRAPPERS) {
  const source = readFileSync(join(SCRIPTS_FOLDER, wrapper), 'utf8');
  const commands = nodeCommandsOf(source);

  test(`${wrapper} runs at least one node command`, () => {
    assert.notDeepEqual(commands, []);
  });

  for (const command of commands) {
    test(`${wrapper} runs "${command}", the entry of an npm script`, () => {
      assert.ok(NPM_ENTRIES.has(entryOf(command)), `no npm script runs ${entryOf(command)}; package.json has ${[...NPM_ENTRIES.keys()].join(', ')}`);
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
  assert.match(source, /& node scripts\/emulator\/compiled\.mjs @emulatorArguments/);
});
