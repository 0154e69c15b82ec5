import { LIMITS } from '../../shared/protocol.js';

export interface Nickname {
  /** As shown to people: NFKC-normalised, trimmed, inner spaces collapsed. */
  display: string;
  /** The uniqueness key: nicknames that differ only by case share it. */
  key: string;
}

// Letters and digits of any script, with combining marks because many scripts (Devanagari,
// Thai, ...) need them even after NFKC; no symbols, controls or invisible format characters.
const ALLOWED = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const STARTS_WITH_MARK = /^\p{M}/u;
// Letters and marks that render as nothing (U+3164 HANGUL FILLER, variation selectors, ...):
// "ali\u3164ce" would look exactly like "alice".
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

export type NicknameResult = { ok: true; nickname: Nickname } | { ok: false; reason: string };

export function parseNickname(raw: string): NicknameResult {
  const display = raw.normalize('NFKC').trim().replace(/ {2,}/g, ' ');
  const length = [...display].length;
  if (length === 0) return { ok: false, reason: 'a nickname needs at least one character' };
  if (length > LIMITS.nicknameMaxLength) {
    return { ok: false, reason: `a nickname has at most ${LIMITS.nicknameMaxLength} characters` };
  }
  if (!ALLOWED.test(display) || STARTS_WITH_MARK.test(display) || INVISIBLE.test(display)) {
    return { ok: false, reason: 'a nickname may only hold letters, digits, spaces, "_", "-" and "."' };
  }
  return { ok: true, nickname: { display, key: nicknameKey(display) } };
}

/** Full case folding approximated by upper-then-lower, so "Straße" and "STRASSE" collide. */
export function nicknameKey(display: string): string {
  return display.toUpperCase().toLowerCase().normalize('NFKC');
}
