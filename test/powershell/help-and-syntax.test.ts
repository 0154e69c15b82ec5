import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { pesterSuites } from './helpers/pester-suite.js';

// Get-Help and the Windows PowerShell 5.1 parser check: quick, so one pwsh runs both.
pesterSuites(['Help.Tests.ps1', 'WindowsPowerShell51.Tests.ps1']);

test('every Pester suite in test/powershell is run by one of the *.test.ts files beside it', () => {
  const folder = new URL('./', import.meta.url);
  const suites = readdirSync(folder).filter((name) => name.endsWith('.Tests.ps1')).sort();
  const named = readdirSync(folder)
    .filter((name) => name.endsWith('.test.ts'))
    .flatMap((name) => [...readFileSync(new URL(name, folder), 'utf8').matchAll(/'([\w.]+\.Tests\.ps1)'/g)].map((match) => match[1]!))
    .sort();
  assert.deepEqual(named, suites);
});

test('every node command of scripts/*.ps1 runs the entry of an npm script, with the same loader', () => {
  const root = new URL('../../', import.meta.url);
  // `node [--import tsx] <entry>`; npm puts node_modules/.bin on PATH, so `tsx X` there is `node --import tsx X`.
  const entryOf = (command: string) => {
    const words = command.replace(/^tsx /, 'node --import tsx ').split(' ');
    return words.slice(0, words[1] === '--import' ? 4 : 2).join(' ');
  };
  const npmEntries = Object.values((JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts).map(entryOf);
  const folder = new URL('scripts/', root);
  const commands = readdirSync(folder)
    .filter((name) => name.endsWith('.ps1'))
    .flatMap((name) => [...readFileSync(fileURLToPath(new URL(name, folder)), 'utf8').matchAll(/& (node [^@}\r\n]*?)\s*(@\w+)?\s*(}|$)/gm)].map((match) => ({ name, command: match[1]! })));
  assert.ok(commands.length >= 7, `found only ${JSON.stringify(commands)}`);
  for (const { name, command } of commands) {
    assert.ok(npmEntries.includes(entryOf(command)), `${name}: "${command}" runs no npm script's entry`);
  }
});
