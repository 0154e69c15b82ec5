import { LIMITS, ROOM_NAME_PATTERN } from '../shared/protocol.js';

/** Client-side hints only: the server has the final word and its errors are shown as they come. */

const NICKNAME_CHARACTERS = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const STARTS_WITH_MARK = /^\p{M}/u;

export function normalizeNickname(input: string): string {
  return input.normalize('NFKC').trim();
}

/** Returns a hint explaining what is wrong, or null when the nickname looks acceptable. */
export function nicknameProblem(input: string): string | null {
  const nickname = normalizeNickname(input);
  if (nickname.length === 0) return 'Enter a nickname.';
  if ([...nickname].length > LIMITS.nicknameMaxLength) {
    return `Use at most ${LIMITS.nicknameMaxLength} characters.`;
  }
  if (!NICKNAME_CHARACTERS.test(nickname) || STARTS_WITH_MARK.test(nickname)) {
    return 'Use letters, digits, spaces, underscores, hyphens and dots only.';
  }
  return null;
}

/** Turns what people type ("My Room") into a room name ("my-room"). */
export function normalizeRoomName(input: string): string {
  return input.trim().replace(/^#/, '').toLowerCase().replace(/\s+/g, '-');
}

export function roomNameProblem(input: string): string | null {
  const room = normalizeRoomName(input);
  if (room.length === 0) return 'Enter a room name.';
  if (room.length > LIMITS.roomMaxLength) return `Use at most ${LIMITS.roomMaxLength} characters.`;
  if (!ROOM_NAME_PATTERN.test(room)) {
    return 'Use a-z, 0-9 and hyphens, starting with a letter or digit.';
  }
  return null;
}

export function messageProblem(text: string): string | null {
  if (text.trim().length === 0) return 'Type a message first.';
  // The server counts characters (code points) of the trimmed text, as here.
  const length = [...text.trim()].length;
  if (length > LIMITS.messageMaxLength) {
    return `Messages are limited to ${LIMITS.messageMaxLength} characters (${length} now).`;
  }
  return null;
}

/** Nicknames are unique case-insensitively, so they are compared the same way. */
export function sameNickname(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
