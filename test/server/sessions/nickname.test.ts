import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nicknameKey, parseNickname } from '../../../WorkerRole1/src/server/sessions/nickname.js';

function display(raw: string): string {
  const result = parseNickname(raw);
  if (!result.ok) assert.fail(`"${raw}" was refused: ${result.reason}`);
  return result.nickname.display;
}

function refused(raw: string): string {
  const result = parseNickname(raw);
  if (result.ok) assert.fail(`"${raw}" was accepted as "${result.nickname.display}"`);
  return result.reason;
}

describe('parseNickname', () => {
  it('normalises with NFKC, trims and collapses inner spaces', () => {
    assert.equal(display('  Ｍａｒｙ   Ａｎｎ\u3000'), 'Mary Ann');
    assert.equal(display('ﬁona'), 'fiona', 'the ligature ﬁ becomes fi');
    assert.equal(display('Ａ\u00A0\u00A0B'), 'A B', 'no-break spaces are spaces after NFKC');
  });

  it('counts the 24-character limit after normalisation, in code points', () => {
    assert.equal(display(' '.repeat(10) + 'x'.repeat(24) + ' '.repeat(10)), 'x'.repeat(24));
    assert.match(refused('x'.repeat(25)), /24/);
    assert.equal(display('𠀀'.repeat(24)), '𠀀'.repeat(24), '24 astral letters are 48 UTF-16 units but 24 characters');
    // One code point that NFKC expands past the limit (U+FDFA becomes 18 characters).
    refused('\uFDFA\uFDFA');
  });

  it('refuses control, format and symbol characters', () => {
    for (const raw of ['a\u0000b', 'a\u001bb', 'a\u009fb', 'a\u200bb', 'a\u200eb', 'a\u2066b', 'a$b', 'a@b', 'a/b', 'a+b']) refused(raw);
  });

  it('gives nicknames that differ by case, width or folding the same key', () => {
    const key = nicknameKey(display('alice'));
    assert.equal(nicknameKey(display('ALICE')), key);
    assert.equal(nicknameKey(display('ａｌｉｃｅ')), key);
    assert.equal(nicknameKey(display('Straße')), nicknameKey(display('STRASSE')));
    assert.notEqual(nicknameKey(display('alice2')), key);
  });
});
