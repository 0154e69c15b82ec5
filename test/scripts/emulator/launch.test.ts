import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { browserOpener, openInBrowser } from '../../../scripts/launch/open-in-browser.js';
import { ensureBuilt, healthzFrom, RunningEmulator } from './running-emulator.js';

/**
 * `--launch` runs the platform's opener. Here a stand-in `xdg-open`, first on PATH, records the
 * argument it was given in a file instead of opening anything.
 */
const work = mkdtempSync(join(tmpdir(), 'chatapp-launch-'));
const bin = join(work, 'bin');
const opened = join(work, 'opened.txt');
mkdirSync(bin);
writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
chmodSync(join(bin, 'xdg-open'), 0o755);

const withStandIn: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
delete withStandIn.WAYLAND_DISPLAY;

/** The stand-in's record, once it has written one (it runs detached, after the line that announces it). */
async function openedUrls(): Promise<string[]> {
  while (!existsSync(opened) || !readFileSync(opened, 'utf8').endsWith('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
  return readFileSync(opened, 'utf8').trim().split('\n');
}

after(() => rmSync(work, { recursive: true, force: true }));

describe('npm start -- --launch', { timeout: 90_000 }, () => {
  const running: RunningEmulator[] = [];
  after(async () => {
    for (const emulator of running) await emulator.kill();
  });

  it('opens the chat with the platform opener once every instance is healthy', async () => {
    ensureBuilt();
    rmSync(opened, { force: true });
    const emulator = await RunningEmulator.start(['--instances', '2', '--fresh', '--launch'], undefined, { ...withStandIn, DISPLAY: ':99' });
    running.push(emulator);
    const url = `http://localhost:${emulator.port}/`;
    await emulator.waitFor(new RegExp(`^emulator: opening ${url} in the default browser \\(xdg-open\\)$`), 30_000);

    assert.deepEqual(await openedUrls(), [url]);
    const healthy = emulator.lines.findIndex((line) => /^emulator: 2 instance\(s\) of WorkerRole1 healthy/.test(line));
    const opening = emulator.lines.findIndex((line) => line.startsWith('emulator: opening'));
    assert.ok(healthy >= 0 && healthy < opening, 'the browser is opened after both instances are healthy');
  });

  it('says it cannot open a browser without a graphical session, gives the URL, and goes on serving', async () => {
    rmSync(opened, { force: true });
    const headless: NodeJS.ProcessEnv = { ...withStandIn };
    delete headless.DISPLAY;
    const emulator = await RunningEmulator.start(['--instances', '1', '--fresh', '--launch'], undefined, headless);
    running.push(emulator);
    const url = `http://localhost:${emulator.port}/`;

    await emulator.waitFor(
      new RegExp(`^emulator: cannot open a browser here: no graphical session \\(neither DISPLAY nor WAYLAND_DISPLAY is set\\); open ${url}$`),
      30_000,
    );
    assert.equal((await healthzFrom(emulator.url, '127.0.0.1')).instance, 'WorkerRole1_IN_0');
    assert.equal(emulator.child.exitCode, null, 'the emulator is still running');
    assert.equal(existsSync(opened), false, 'no opener was run');
  });
});

describe('openInBrowser', () => {
  it('runs xdg-open from PATH with the URL under a graphical session', async () => {
    rmSync(opened, { force: true });
    const said: string[] = [];
    openInBrowser('https://chatapp-demo.azurewebsites.net/', (line) => said.push(line), 'linux', { ...withStandIn, WAYLAND_DISPLAY: 'wayland-0' });
    assert.deepEqual(await openedUrls(), ['https://chatapp-demo.azurewebsites.net/']);
    assert.deepEqual(said, ['opening https://chatapp-demo.azurewebsites.net/ in the default browser (xdg-open)']);
  });

  it('says why not, and gives the URL, when xdg-open is not on PATH', () => {
    const said: string[] = [];
    openInBrowser('http://localhost:8080/', (line) => said.push(line), 'linux', { PATH: work, DISPLAY: ':0' });
    assert.deepEqual(said, ['cannot open a browser here: xdg-open is not on PATH (install xdg-utils); open http://localhost:8080/']);
  });

  it("uses macOS's open and Windows' start", () => {
    const macPath = { PATH: bin };
    writeFileSync(join(bin, 'open'), '#!/bin/sh\n');
    chmodSync(join(bin, 'open'), 0o755);
    assert.deepEqual(browserOpener('http://localhost:8080/', 'darwin', macPath), { command: 'open', args: ['http://localhost:8080/'] });
    assert.deepEqual(browserOpener('http://localhost:8080/?a=1&b=2', 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }), {
      command: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', 'start "" "http://localhost:8080/?a=1&b=2"'],
      windowsVerbatimArguments: true,
    });
  });
});
