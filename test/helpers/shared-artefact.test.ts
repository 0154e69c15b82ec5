import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HELPER = fileURLToPath(new URL('./shared-artefact.ts', import.meta.url));

/** A test file's process asking for the artefact: its make appends a line to `makes` and takes 300 ms. */
const CONSUMER = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedArtefact } from ${JSON.stringify(HELPER)};
const { folder, made } = await sharedArtefact('thing', 'key1', async (into) => {
  appendFileSync(process.env.MAKES, process.pid + '\\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  writeFileSync(join(into, 'thing.txt'), 'made by ' + process.pid);
  return { maker: process.pid };
});
console.log(JSON.stringify({ folder, made }));
`;

describe('an artefact shared by the test files of one npm test run', { timeout: 60_000 }, () => {
  let run: string;
  let consumer: string;
  before(() => {
    run = mkdtempSync(join(tmpdir(), 'chatapp-shared-artefact-test-'));
    consumer = join(run, 'consumer.mts');
    writeFileSync(consumer, CONSUMER);
  });
  after(() => rmSync(run, { recursive: true, force: true }));

  const ask = async (shared: string, makes: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', consumer], { env: { ...process.env, TEST_SHARED_DIR: shared, MAKES: makes } });
    return JSON.parse(stdout) as { folder: string; made: { maker: number } };
  };

  it('is made once when files running side by side ask for it at the same time, and each gets that one', async () => {
    const shared = mkdtempSync(join(run, 'at-once-'));
    const makes = join(run, 'at-once.makes');
    writeFileSync(makes, '');
    const answers = await Promise.all([ask(shared, makes), ask(shared, makes), ask(shared, makes)]);
    const makers = readFileSync(makes, 'utf8').trim().split('\n');
    assert.equal(makers.length, 1, 'one make');
    for (const answer of answers) {
      assert.equal(answer.made.maker, Number(makers[0]));
      assert.equal(readFileSync(join(answer.folder, 'thing.txt'), 'utf8'), `made by ${makers[0]}`);
    }
  });

  it('is made by the next file when the one that took the lock died before finishing', async () => {
    const shared = mkdtempSync(join(run, 'died-'));
    const makes = join(run, 'died.makes');
    writeFileSync(makes, '');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    mkdirSync(join(shared, 'thing-key1.lock'));
    writeFileSync(join(shared, 'thing-key1.lock', 'pid'), String(dead));
    const answer = await ask(shared, makes);
    assert.equal(readFileSync(makes, 'utf8').trim(), String(answer.made.maker));
  });
});
