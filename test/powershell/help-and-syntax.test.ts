import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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
