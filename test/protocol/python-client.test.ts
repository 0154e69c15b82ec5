import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type RunningChatServer, startChatServer } from '../helpers/chat-server.js';

/** Debian's python3-socketio (with python3-websocket), which .ci/run installs: a client nobody here wrote. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_client.py', import.meta.url));

interface Ack {
  ok: boolean;
  error?: { code: string; message: string };
  [field: string]: unknown;
}

describe('a chat client written with python-socketio against docs/protocol.md', () => {
  let server: RunningChatServer;
  let steps: Record<string, unknown>;

  before(async () => {
    // Fails, never skips, without the client: a skipped run would hide a protocol a third party cannot follow.
    await promisify(execFile)(PYTHON, ['-c', 'import socketio, websocket']).catch((error: unknown) => {
      throw new Error(`python-socketio is missing: apt-get install python3-socketio python3-websocket python3-requests (${String(error)})`);
    });
    server = await startChatServer();
    // Asynchronous: the server answers from this process while the client runs.
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, server.url], { timeout: 60_000 });
    steps = JSON.parse(stdout) as Record<string, unknown>;
  });
  after(() => server?.close());

  const step = (name: string) => steps[name] as Ack;

  it('starts a session and joins the lobby in one round trip', () => {
    const start = step('start');
    assert.equal(start.ok, true);
    assert.equal(start.nickname, 'py-alice');
    const [lobby] = start.joined as Ack[];
    assert.equal(lobby?.ok, true);
    assert.equal(lobby?.room, 'lobby');
    assert.deepEqual(lobby?.members, ['py-alice']);
  });

  it('refuses a nickname that differs only by case with NICKNAME_TAKEN', () => {
    assert.equal(step('taken').error?.code, 'NICKNAME_TAKEN');
  });

  it('delivers a message to the room as the text sent, once, and keeps it in history', () => {
    const sent = step('send');
    assert.equal(sent.ok, true);
    const message = sent.message as { id: string; text: string; from: string };
    assert.equal(message.text, '<img src=x onerror=alert(1)> hello from Python');
    assert.deepEqual(steps.heard, [{ ...message }]);
    assert.deepEqual((step('history').messages as Array<{ id: string }>).map(({ id }) => id), [message.id]);
  });

  it('answers malformed and out-of-place requests with an error ack a program can act on', () => {
    for (const [name, code] of [['malformed', 'INVALID_MESSAGE'], ['unknown_room', 'NOT_IN_ROOM']] as const) {
      const ack = step(name);
      assert.equal(ack.ok, false, name);
      assert.equal(ack.error?.code, code, name);
      assert.ok((ack.error?.message.length ?? 0) > 0, `${name} says why`);
    }
  });

  it('resumes the session with its token on a new connection, back in its rooms', () => {
    const start = step('start');
    const resume = step('resume');
    assert.equal(resume.ok, true);
    assert.equal(resume.session, start.session);
    assert.deepEqual((resume.rooms as Array<{ room: string }>).map(({ room }) => room), ['lobby']);
  });
});
