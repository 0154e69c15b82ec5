import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SETTING_NAMES } from '../WorkerRole1/src/server/config/settings.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));

test('the README documents every setting the server reads, and no other', () => {
  assert.deepEqual([...documented].sort(), [...SETTING_NAMES].sort());
});
