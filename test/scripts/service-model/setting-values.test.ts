import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SETTING_EXAMPLES } from '../../../WorkerRole1/src/server/config/setting-examples.js';
import { settingValueProblems } from '../../../WorkerRole1/src/server/config/setting-problems.js';
import { SETTINGS, SETTING_NAMES } from '../../../WorkerRole1/src/server/config/settings.js';
import { CHATAPP_ROLE_SETTINGS } from '../../../scripts/service-model/role-settings.js';
import { REPOSITORY_ROOT, copyService, edit, lineContaining, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const LOCAL = 'ServiceConfiguration.Local.cscfg';
const CLOUD = 'ServiceConfiguration.Cloud.cscfg';

/** `npm run validate -- --root DIR --no-build-check`, as npm runs it. */
function validate(root: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', '--root', root, '--no-build-check'], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stderrLines: result.stderr.split('\n').filter(Boolean) };
}

function lineIn(root: string, file: string, needle: string): number {
  return lineContaining(readFileSync(join(root, file), 'utf8'), needle);
}

test('npm run validate reports a cscfg value the role would refuse as file:line, setting, what is wrong and an example', () => {
  const root = copyService({
    from: REPOSITORY_ROOT,
    built: false,
    edits: [edit(LOCAL, '<Setting name="SESSION_GRACE_MS" value="" />', '<Setting name="SESSION_GRACE_MS" value="soon" />')],
  });
  const result = validate(root);
  assert.equal(result.status, 1);
  assert.deepEqual(result.stderrLines, [
    `${LOCAL}:${lineIn(root, LOCAL, 'value="soon"')}: SESSION_GRACE_MS "soon" is not a whole number of milliseconds (e.g. 30000)`,
    'service model: 1 problem',
  ]);
});

test('checks the values of both cscfg files, each problem at its own line', () => {
  const root = copyService({
    from: REPOSITORY_ROOT,
    built: false,
    edits: [
      edit(CLOUD, '<Setting name="LOG_LEVEL" value="info" />', '<Setting name="LOG_LEVEL" value="loud" />'),
      edit(LOCAL, '<Setting name="SESSION_LEASE_MS" value="" />', '<Setting name="SESSION_LEASE_MS" value="100" />'),
      edit(LOCAL, '<Setting name="ALLOWED_ORIGINS" value="" />', '<Setting name="ALLOWED_ORIGINS" value="https://ok.example, chat.example.com" />'),
    ],
  });
  assert.deepEqual(problemsIn(root, { roleSettings: CHATAPP_ROLE_SETTINGS, checkBuild: false }), [
    `${CLOUD}:${lineIn(root, CLOUD, 'value="loud"')}: LOG_LEVEL "loud" is not one of fatal, error, warn, info, debug, trace, silent`,
    `${LOCAL}:${lineIn(root, LOCAL, 'chat.example.com')}: ALLOWED_ORIGINS "https://ok.example, chat.example.com" has an entry "chat.example.com" that is not a URL (e.g. https://chat.example.com,http://localhost:3000)`,
    `${LOCAL}:${lineIn(root, LOCAL, 'value="100"')}: SESSION_LEASE_MS "100" is below the minimum, 2000 milliseconds (e.g. 45000)`,
  ]);
});

test("never prints a secret setting's value, saying \"the value\" instead", () => {
  const root = copyService({
    from: REPOSITORY_ROOT,
    built: false,
    edits: [edit(CLOUD, '<Setting name="REDIS_URL" value="" />', '<Setting name="REDIS_URL" value="https://default:hunter2@cache.example" />')],
  });
  const result = validate(root);
  assert.equal(result.status, 1);
  assert.match(result.stderrLines[0] ?? '', /^ServiceConfiguration\.Cloud\.cscfg:\d+: REDIS_URL: the value is not valid: expected redis:\/\/host:port or rediss:\/\/host:port \(e\.g\. rediss:\/\//);
  assert.doesNotMatch(result.stderrLines.join('\n'), /hunter2/);
});

test('accepts an empty value, which the role treats as unset, for every setting', () => {
  for (const name of SETTING_NAMES) assert.deepEqual(settingValueProblems(name, ''), [], name);
  assert.deepEqual(settingValueProblems('SESSION_GRACE_MS', '  '), []);
});

test('every example it shows is a value the role accepts', () => {
  for (const [name, example] of Object.entries(SETTING_EXAMPLES)) {
    if (Object.hasOwn(SETTINGS, name)) assert.deepEqual(settingValueProblems(name, example), [], `${name} example ${example}`);
  }
});

test("the role's own start-up error for a bad value says it in the same words", () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'WorkerRole1/src/server/main.ts'], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, SESSION_GRACE_MS: 'soon', REDIS_URL: 'https://default:hunter2@cache.example' },
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /chatapp: invalid configuration:\n/);
  for (const words of [...settingValueProblems('SESSION_GRACE_MS', 'soon'), ...settingValueProblems('REDIS_URL', 'https://default:hunter2@cache.example')]) {
    assert.ok(result.stderr.includes(`  ${words}\n`), `the role says ${JSON.stringify(words)}; it printed:\n${result.stderr}`);
  }
  assert.doesNotMatch(result.stderr, /hunter2|expected number, received NaN/);
});
