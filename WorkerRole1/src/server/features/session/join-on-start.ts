import { z } from 'zod';
import { LIMITS, type SessionStartJoined } from '../../../shared/protocol.js';
import type { ChatContext } from '../../context.js';
import { type ChatError, isChatError } from '../../errors.js';
import type { ChatSocket } from '../../socket/types.js';
import { roomName } from '../fields.js';
import { enterRoom } from '../room/join.js';

/**
 * session:start's `join`. A name that is not a room name fails the whole event with
 * INVALID_PAYLOAD, as any malformed field does: only a client that skipped the room rules sends one.
 */
export const joinList = z.array(roomName).max(LIMITS.sessionStartJoinMax).optional();

/** What stops one room from being joined without stopping the session from starting (names were checked by the schema). */
const ROOM_REFUSALS: ReadonlySet<ChatError['code']> = new Set(['FORBIDDEN', 'TOO_MANY_ROOMS']);

/**
 * Enters each room of `join` the session is not in already (`current`), exactly as room:join
 * does, all at once; one entry per such room, in `join`'s order. A room refused (a moderator's
 * removal, the room limit) is an entry with its error; anything else (the session store down, the
 * session gone) fails session:start as it would fail room:join.
 */
export async function joinRooms(ctx: ChatContext, socket: ChatSocket, join: readonly string[], current: Iterable<string>): Promise<SessionStartJoined[]> {
  const already = new Set(current);
  const rooms = [...new Set(join)].filter((room) => !already.has(room));
  return Promise.all(
    rooms.map(async (room): Promise<SessionStartJoined> => {
      try {
        return { ok: true, ...(await enterRoom(ctx, socket, room)) };
      } catch (error) {
        if (!isChatError(error) || !ROOM_REFUSALS.has(error.code)) throw error;
        return { ok: false, room, error: error.toBody() };
      }
    }),
  );
}
