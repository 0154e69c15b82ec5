import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { closeClients, joinRoom, nextEvent, sendMessage, startSession } from './helpers/clients.js';
import { isAlive, RunningEmulator } from './scripts/emulator/running-emulator.js';
import { StandInOpener } from './scripts/launch/stand-in-opener.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/**
 * The README's first commands, run as written, on whatever Node runs this file: .ci/run runs it on
 * the machine's Node 20, the oldest the README supports, where the rest of the suite runs on Node
 * 24 only. `npm install` is the install that set up this clone (.ci/run's `npm ci`, on Node 20 as
 * well); this file runs `npm start -- --launch` itself, through npm and package.json (which
 * builds first, or finds dist built from these very files and skips that: in .ci/run's Node 20
 * step nothing is built yet, so it builds), with only its ports and data folder moved so that it
 * runs beside other files, and chats through what it started as two people in two windows would.
 */
describe('the README\'s "Start here": npm install, then npm start -- --launch', { timeout: 10 * 60_000 }, () => {
  let emulator: RunningEmulator | undefined;
  const opener = new StandInOpener();
  after(async () => {
    closeClients();
    await emulator?.kill();
    opener.remove();
  });

  it('are still the two commands this test runs', () => {
    const block = readme.match(/## Start here\n[\s\S]*?```sh\n([\s\S]*?)```/)?.[1];
    assert.deepEqual(block?.trim().split('\n'), ['npm install', 'npm start -- --launch'], 'when the README changes them, change this test');
  });

  it('starts the emulator, opens the chat in the browser, lets two people chat, and stops on Ctrl-C', async () => {
    emulator = await RunningEmulator.npmStart(['--launch', '--fresh'], opener.env({ DISPLAY: ':99', WAYLAND_DISPLAY: undefined }));
    // npm builds first: minutes on a loaded machine.
    await emulator.waitFor(/^(built WorkerRole1\/dist|WorkerRole1\/dist is up to date)/, 8 * 60_000);
    const [, url] = (await emulator.waitFor(/^emulator: chat at (\S+) \(Ctrl-C stops\)$/, 3 * 60_000)) as RegExpMatchArray & [string, string];
    assert.equal(url, `http://localhost:${emulator.port}/`);
    assert.deepEqual(await opener.openedUrls(), [url], 'the default browser was asked to open the chat');

    const ada = await startSession(emulator.url, 'Ada');
    const grace = await startSession(emulator.url, 'Grace');
    await Promise.all([joinRoom(ada.socket, 'lobby'), joinRoom(grace.socket, 'lobby')]);
    const received = nextEvent(grace.socket, 'message', { timeoutMs: 10_000 });
    await sendMessage(ada.socket, 'lobby', 'Hello from the first window');
    assert.equal((await received).text, 'Hello from the first window');
    closeClients();

    emulator.interrupt();
    await emulator.outputClosed;
    assert.ok(emulator.lines.includes('emulator: SIGINT: draining and stopping') && emulator.lines.includes('emulator: stopped'), emulator.lines.slice(-8).join('\n'));
    const left = [...emulator.allPids].filter(isAlive);
    assert.deepEqual(left, [], 'no instance left running');
  });
});
