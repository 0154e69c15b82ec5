import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { StandInOpener } from '../launch/stand-in-opener.js';
import { ensureBuilt, healthzFrom, RunningEmulator } from './running-emulator.js';

describe('npm start -- --launch', { timeout: 90_000 }, () => {
  const running: RunningEmulator[] = [];
  const openers: StandInOpener[] = [];
  after(async () => {
    for (const emulator of running) await emulator.kill();
    for (const opener of openers) opener.remove();
  });

  it('opens the chat with the platform opener once every instance is healthy', async () => {
    ensureBuilt();
    const opener = new StandInOpener();
    openers.push(opener);
    const emulator = await RunningEmulator.start(['--instances', '2', '--fresh', '--launch'], undefined, opener.env({ DISPLAY: ':99', WAYLAND_DISPLAY: undefined }));
    running.push(emulator);
    const url = `http://localhost:${emulator.port}/`;
    await emulator.waitFor(new RegExp(`^emulator: opening ${url} in the default browser \\(xdg-open\\)$`), 30_000);

    assert.deepEqual(await opener.openedUrls(), [url]);
    const healthy = emulator.lines.findIndex((line) => /^emulator: 2 instance\(s\) of WorkerRole1 healthy/.test(line));
    const opening = emulator.lines.findIndex((line) => line.startsWith('emulator: opening'));
    assert.ok(healthy >= 0 && healthy < opening, 'the browser is opened after both instances are healthy');
  });

  it('says it cannot open a browser without a graphical session, gives the URL, and goes on serving', async () => {
    const opener = new StandInOpener();
    openers.push(opener);
    const emulator = await RunningEmulator.start(['--instances', '1', '--fresh', '--launch'], undefined, opener.env({ DISPLAY: undefined, WAYLAND_DISPLAY: undefined }));
    running.push(emulator);
    const url = `http://localhost:${emulator.port}/`;

    await emulator.waitFor(
      new RegExp(`^emulator: cannot open a browser here: no graphical session \\(neither DISPLAY nor WAYLAND_DISPLAY is set\\); open ${url}$`),
      30_000,
    );
    assert.equal((await healthzFrom(emulator.url, '127.0.0.1')).instance, 'WorkerRole1_IN_0');
    assert.equal(emulator.child.exitCode, null, 'the emulator is still running');
    assert.equal(opener.wasRun, false, 'no opener was run');
  });
});
