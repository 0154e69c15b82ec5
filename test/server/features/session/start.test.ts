import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type RunningChatServer, startChatServer } from '../../../helpers/chat-server.js';
import {
  closeClients,
  connectClient,
  errorOf,
  joinRoom,
  okValue,
  rawRequest,
  request,
  startSession,
} from '../../../helpers/clients.js';

describe('session:start', () => {
  let server: RunningChatServer;

  beforeEach(async () => {
    server = await startChatServer();
  });
  afterEach(async () => {
    closeClients();
    await server.close();
  });

  async function start(nickname: string, session?: string) {
    const socket = await connectClient(server.url);
    return request(socket, 'session:start', session === undefined ? { nickname } : { nickname, session });
  }

  describe('valid nicknames', () => {
    it('answers with the nickname and an opaque session token', async () => {
      const ack = okValue(await start('alice'));
      assert.equal(ack.nickname, 'alice');
      assert.equal(typeof ack.session, 'string');
      assert.ok(ack.session.length >= 16, `token too short to be unguessable: ${ack.session}`);
      assert.ok(!ack.session.includes('alice'), 'the token does not carry the nickname');
    });

    it('gives every session a different token', async () => {
      const a = okValue(await start('alice'));
      const b = okValue(await start('bob'));
      assert.notEqual(a.session, b.session);
    });

    it('trims the nickname and collapses inner runs of spaces', async () => {
      assert.equal(okValue(await start('  Mary   Ann  ')).nickname, 'Mary Ann');
    });

    it('normalises the nickname with NFKC (full-width letters become ASCII)', async () => {
      assert.equal(okValue(await start('ＡＬＩＣＥ')).nickname, 'ALICE');
    });

    it('accepts letters of other scripts, digits, "_", "-" and "."', async () => {
      for (const nickname of ['Zoë', 'Jürgen_2', 'ann-marie.k', 'Δημήτρης', '李小龍', 'नमस्ते']) {
        assert.equal(okValue(await start(nickname)).nickname, nickname);
      }
    });

    it('accepts exactly 24 characters, counted as code points', async () => {
      assert.equal(okValue(await start('a'.repeat(24))).nickname, 'a'.repeat(24));
      // 24 letters outside the BMP: 48 UTF-16 units but 24 characters.
      assert.equal(okValue(await start('𠀀'.repeat(24))).nickname, '𠀀'.repeat(24));
      errorOf(await start('𠁀'.repeat(25)), 'INVALID_NICKNAME');
    });
  });

  describe('INVALID_NICKNAME', () => {
    const invalid: Array<[string, string]> = [
      ['an empty nickname', ''],
      ['a nickname of spaces only', '   '],
      ['25 characters', 'a'.repeat(25)],
      ['25 characters after NFKC (full-width)', 'Ａ'.repeat(25)],
      ['symbols', 'alice!'],
      ['an emoji', 'alice😀'],
      ['HTML', '<b>x</b>'],
      ['a NUL', 'ali\u0000ce'],
      ['a bell (C0 control)', 'ali\u0007ce'],
      ['an inner newline', 'ali\nce'],
      ['an inner tab', 'ali\tce'],
      ['a C1 control', 'ali\u0085ce'],
      ['DEL', 'ali\u007fce'],
      ['a zero-width space (U+200B)', 'ali\u200Bce'],
      ['a zero-width joiner (U+200D)', 'ali\u200Dce'],
      ['a word joiner (U+2060)', 'ali\u2060ce'],
      ['an inner byte order mark (U+FEFF)', 'ali\uFEFFce'],
      ['a soft hyphen (U+00AD)', 'ali\u00ADce'],
      ['a right-to-left override (U+202E)', 'ali\u202Ece'],
      ['a leading combining mark', '\u0301alice'],
    ];
    for (const [what, nickname] of invalid) {
      it(`rejects ${what}`, async () => {
        errorOf(await start(nickname), 'INVALID_NICKNAME');
      });
    }

    // Letters and marks that render as nothing: "ali\u3164ce" looks exactly like "alice" but is
    // another nickname, so anyone can impersonate anyone. The issue: "no control or invisible
    // characters". These code points are Default_Ignorable_Code_Point but \p{L}/\p{M}.
    const invisibleLettersAndMarks: Array<[string, string]> = [
      ['a Hangul filler (U+3164)', 'ali\u3164ce'],
      ['a halfwidth Hangul filler (U+FFA0)', 'ali\uFFA0ce'],
      ['a Hangul choseong filler (U+115F)', 'ali\u115Fce'],
      ['a combining grapheme joiner (U+034F)', 'ali\u034Fce'],
      ['a variation selector (U+FE0F)', 'alice\uFE0F'],
      ['a Mongolian free variation selector (U+180B)', 'ali\u180Bce'],
      ['a Khmer inherent vowel (U+17B4)', 'ali\u17B4ce'],
    ];
    it(
      'rejects letters and marks that are invisible (Hangul fillers, variation selectors, CGJ)',
      async () => {
        const accepted: string[] = [];
        for (const [what, nickname] of invisibleLettersAndMarks) {
          const ack = await start(nickname);
          if (ack.ok || ack.error.code !== 'INVALID_NICKNAME') accepted.push(what);
        }
        assert.deepEqual(accepted, [], `accepted as nicknames that look like "alice": ${accepted.join(', ')}`);
      },
    );

    it('rejects a nickname that is not a string with INVALID_NICKNAME', async () => {
      const socket = await connectClient(server.url);
      errorOf(await rawRequest(socket, 'session:start', [{ nickname: 42 }]), 'INVALID_NICKNAME');
      errorOf(await rawRequest(socket, 'session:start', [{ nickname: null }]), 'INVALID_NICKNAME');
    });

    it('does not start a session when the nickname is refused', async () => {
      const socket = await connectClient(server.url);
      errorOf(await request(socket, 'session:start', { nickname: 'bad!' }), 'INVALID_NICKNAME');
      errorOf(await request(socket, 'room:join', { room: 'lobby' }), 'NO_SESSION');
    });
  });

  describe('NICKNAME_TAKEN', () => {
    it('rejects a nickname already held by another session', async () => {
      okValue(await start('alice'));
      const error = errorOf(await start('alice'), 'NICKNAME_TAKEN');
      assert.match(error.message, /alice/);
    });

    it('rejects a nickname that differs only by case', async () => {
      okValue(await start('Alice'));
      errorOf(await start('aLICE'), 'NICKNAME_TAKEN');
      errorOf(await start('ALICE'), 'NICKNAME_TAKEN');
    });

    it('rejects the full-width (NFKC-equivalent) form of a taken nickname', async () => {
      okValue(await start('alice'));
      errorOf(await start('ａｌｉｃｅ'), 'NICKNAME_TAKEN');
      errorOf(await start('ＡＬＩＣＥ'), 'NICKNAME_TAKEN');
    });

    it('rejects a nickname that differs only by surrounding or repeated spaces', async () => {
      okValue(await start('Mary Ann'));
      errorOf(await start('  Mary    Ann '), 'NICKNAME_TAKEN');
    });

    it('rejects a nickname that differs only by full case folding (ß and SS)', async () => {
      okValue(await start('Straße'));
      errorOf(await start('STRASSE'), 'NICKNAME_TAKEN');
    });

    it('rejects a taken nickname even with a token of another session', async () => {
      okValue(await start('alice'));
      const bob = okValue(await start('bob'));
      errorOf(await start('alice', bob.session), 'NICKNAME_TAKEN');
    });

    it('leaves the refused socket without a session', async () => {
      okValue(await start('alice'));
      const socket = await connectClient(server.url);
      errorOf(await request(socket, 'session:start', { nickname: 'alice' }), 'NICKNAME_TAKEN');
      errorOf(await request(socket, 'room:join', { room: 'lobby' }), 'NO_SESSION');
    });
  });

  describe('session token', () => {
    it('lets a second tab share the session by presenting the token', async () => {
      const first = await startSession(server.url, 'alice');
      const second = okValue(await start('alice', first.session));
      assert.equal(second.session, first.session);
      assert.equal(second.nickname, 'alice');
    });

    it('keeps the nickname as first claimed when a token is presented with another case', async () => {
      const first = await startSession(server.url, 'Alice');
      const second = okValue(await start('ALICE', first.session));
      assert.equal(second.session, first.session);
      assert.equal(second.nickname, 'Alice');
    });

    it('ignores an unknown token and starts a fresh session', async () => {
      const ack = okValue(await start('alice', 'no-such-token'));
      assert.notEqual(ack.session, 'no-such-token');
    });

    it('rejects a token that is not a non-empty string with INVALID_PAYLOAD', async () => {
      const socket = await connectClient(server.url);
      errorOf(await rawRequest(socket, 'session:start', [{ nickname: 'alice', session: 7 }]), 'INVALID_PAYLOAD');
      errorOf(await rawRequest(socket, 'session:start', [{ nickname: 'alice', session: '' }]), 'INVALID_PAYLOAD');
    });
  });

  describe('renaming (session:start again on the same socket)', () => {
    it('frees the old nickname and tells its rooms that it left', async () => {
      const alice = await startSession(server.url, 'alice');
      const bob = await startSession(server.url, 'bob');
      await joinRoom(alice.socket, 'lobby');
      await joinRoom(bob.socket, 'lobby');

      const left = new Promise((resolve) => bob.socket.once('user:left', resolve));
      const renamed = okValue(await request(alice.socket, 'session:start', { nickname: 'alicia' }));
      assert.equal(renamed.nickname, 'alicia');
      assert.notEqual(renamed.session, alice.session, 'the old token must not keep working for the new nickname');
      assert.deepEqual(await left, { room: 'lobby', nickname: 'alice', count: 1 });

      okValue(await start('alice'));
      const members = okValue(await request(bob.socket, 'room:join', { room: 'lobby' })).members;
      assert.ok(!members.includes('alicia'), 'a renamed session starts outside the old rooms');
    });
  });
});
