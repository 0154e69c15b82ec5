import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';

/**
 * The logger batches its lines before writing them to stdout: every line must still reach the
 * reader of the pipe (the emulator, Azure's log collector), the last ones before a crash too.
 */

const loggerModule = new URL('../../WorkerRole1/src/server/logger.ts', import.meta.url).href;

/** Runs `body` in a fresh process with `logger` in scope; resolves its stdout lines and exit code. */
async function runWithLogger(body: string): Promise<{ lines: Array<Record<string, unknown>>; code: number | null }> {
  const script = `const { createLogger } = await import(${JSON.stringify(loggerModule)});
const logger = createLogger({ level: 'info', instanceId: 'test' });
${body}`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { lines: out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>), code };
}

const manyLines = `for (let i = 0; i < 300; i += 1) logger.info({ n: i }, 'line');`;

function assertAllThere(lines: Array<Record<string, unknown>>): void {
  const numbered = lines.filter((line) => line.msg === 'line').map((line) => line.n);
  assert.deepEqual(numbered, Array.from({ length: 300 }, (_, i) => i));
}

describe('logger', () => {
  it('writes every line logged just before process.exit', async () => {
    const { lines, code } = await runWithLogger(`${manyLines}\nprocess.exit(3);`);
    assert.equal(code, 3);
    assertAllThere(lines);
  });

  it('writes every line logged before an uncaught error, and the line its handler logs', async () => {
    const { lines, code } = await runWithLogger(`process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
${manyLines}
setImmediate(() => { throw new Error('boom'); });`);
    assert.equal(code, 1);
    assertAllThere(lines);
    const fatal = lines.at(-1);
    assert.equal(fatal?.msg, 'uncaught exception');
    assert.equal((fatal?.err as { message?: string } | undefined)?.message, 'boom');
  });

  it('writes every line logged before an uncaught error that nothing handles', async () => {
    const { lines, code } = await runWithLogger(`${manyLines}\nsetImmediate(() => { throw new Error('boom'); });`);
    assert.equal(code, 1);
    assertAllThere(lines);
  });

  it('shows a lone line of a quiet process without waiting for more', async () => {
    // The process stays up 3 s after its one line and is then killed: only a timely flush shows it.
    const { lines } = await runWithLogger(`logger.info('alone');
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 3000);`);
    assert.deepEqual(lines.map((line) => line.msg), ['alone']);
  });

  it('still redacts session tokens', async () => {
    const { lines } = await runWithLogger(`logger.info({ session: 'secret-token', user: { token: 'also-secret' } }, 'started');
process.exit(0);`);
    assert.equal(lines[0]?.session, '[redacted]');
    assert.deepEqual(lines[0]?.user, { token: '[redacted]' });
  });
});
