/** How the Redis registry reads what the scripts of redis-scripts.ts reply. */
import { type EndedSession, type MemberPage, type RoomChange, type Session, SessionStoreError } from './session-registry.js';

export function unexpectedReply(): SessionStoreError {
  return new SessionStoreError('session store (Redis) sent an unexpected reply');
}

export function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw unexpectedReply();
  return reply;
}

export function asString(reply: unknown): string {
  if (typeof reply !== 'string') throw unexpectedReply();
  return reply;
}

export function asNumber(reply: unknown): number {
  if (typeof reply !== 'number') throw unexpectedReply();
  return reply;
}

export function toRoomChange(room: string, reply: unknown): RoomChange {
  const [count, coalesced] = asArray(reply).map(asNumber);
  if (count === undefined) throw unexpectedReply();
  return { room, count, coalesced: coalesced === 1 };
}

/** Reads an ended session as end_session replies it: nickname, key, then room, count, coalesced triples. */
export function toEndedSession(token: string, reply: unknown): EndedSession {
  const [nickname, key, left] = asArray(reply);
  const triples = asArray(left);
  const changes: RoomChange[] = [];
  for (let at = 0; at + 2 < triples.length; at += 3) {
    changes.push({ room: asString(triples[at]), count: asNumber(triples[at + 1]), coalesced: triples[at + 2] === 1 });
  }
  return {
    token,
    nickname: asString(nickname),
    key: asString(key),
    rooms: new Set(changes.map((change) => change.room)),
    left: changes,
  };
}

/** Reads a session as the scripts describe it: nickname, key, then its rooms in join order. */
export function toSession(token: string, reply: unknown): Session {
  const [nickname, key, ...rooms] = asArray(reply).map(asString);
  if (nickname === undefined || key === undefined) throw unexpectedReply();
  return { token, nickname, key, rooms: new Set(rooms) };
}

/** Reads a member page as member_page replies it: count, next key or '', then the nicknames joined by NUL. */
export function toMemberPage(reply: unknown): MemberPage {
  const [count, next, joined] = asArray(reply);
  const names = asString(joined);
  const page: MemberPage = { members: names === '' ? [] : names.split('\0'), count: asNumber(count) };
  return next === '' ? page : { ...page, next: asString(next) };
}
