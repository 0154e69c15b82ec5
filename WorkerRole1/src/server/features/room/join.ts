import { z } from 'zod';
import { LIMITS } from '../../../shared/protocol.js';
import { roomChannel, userChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { errors } from '../../errors.js';
import { HistoryUnavailableError, type StoredMessage } from '../../history/history-store.js';
import { nicknameKey } from '../../sessions/nickname.js';
import { banSubjectsOf } from '../../sessions/room-bans.js';
import type { Session } from '../../sessions/session-registry.js';
import { sessionGone } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import type { ChatSocket } from '../../socket/types.js';
import { roomName } from '../fields.js';
import { toChatMessage } from '../messages.js';

const schema = z.strictObject({ room: roomName });

/**
 * Joins a room (creating it if new) for every tab of the session; answers with the member count,
 * the first page of members and the recent history. Costs the same in a room of thousands.
 */
export const joinRoom = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  run: (ctx, socket, { room }) => enterRoom(ctx, socket, room),
});

/**
 * room:join's work, shared with session:start {join}: enters the socket's session into the room
 * (bans and the room limit checked by the registry), puts the session's sockets into its channel,
 * announces the join and answers with the first page of members and the recent history.
 */
export async function enterRoom(ctx: ChatContext, socket: ChatSocket, room: string) {
  const token = socket.data.session?.token;
  const entered = token === undefined ? undefined : await ctx.sessions.enter(token, room, {
    holder: ctx.config.instanceId,
    roomsMax: LIMITS.roomsPerSession,
    page: { limit: LIMITS.joinMembersMax },
    banSubjects: banSubjectsOf(socket.data),
  });
  if (!entered?.ok) {
    if (entered?.reason === 'too-many-rooms') throw errors.tooManyRooms(LIMITS.roomsPerSession);
    if (entered?.reason === 'removed') throw errors.removedFromRoom(room, entered.until, ctx.now());
    return sessionGone(ctx, socket);
  }
  const { session, change, page } = entered;
  await socket.join(roomChannel(room));
  // The session's other tabs join too: through every instance only when another one holds the
  // session, since that broadcast costs each instance a message; else just this instance's.
  if (entered.heldElsewhere) ctx.io.in(userChannel(session.key)).socketsJoin(roomChannel(room));
  else if (ctx.presence.hasOtherSockets(session.token, socket.id)) ctx.io.local.in(userChannel(session.key)).socketsJoin(roomChannel(room));
  if (change) ctx.presence.announceJoin(session, change);
  const history = await recentHistory(ctx, room);
  const first = firstPage(page.members, page.next, session);
  return {
    room,
    memberCount: page.count,
    members: first.members,
    ...(first.next === undefined ? {} : { next: first.next }),
    history: history.map((message) => toChatMessage(message, room)),
  };
}

/**
 * The first page always shows the caller, in sorted place, even when they sort past its end; the
 * member it displaces is where the next page (room:members {after: next}) starts. The page is in
 * key order already, so the caller's place takes a binary search, not a key for every member.
 */
function firstPage(members: string[], next: string | undefined, session: Session): { members: string[]; next?: string } {
  if (members.includes(session.nickname)) return next === undefined ? { members } : { members, next };
  const page = members.slice();
  let resumeAfter = next;
  if (next !== undefined || page.length >= LIMITS.joinMembersMax) {
    page.pop();
    resumeAfter = page.length === 0 ? undefined : nicknameKey(page[page.length - 1]!);
  }
  page.splice(placeAfterEqualKeys(page, session.key), 0, session.nickname);
  return resumeAfter === undefined ? { members: page } : { members: page, next: resumeAfter };
}

/** Where `key` goes in nicknames sorted by key: after every nickname whose key is not greater. */
function placeAfterEqualKeys(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (nicknameKey(sorted[middle]!) <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Joining works while storage is down: the client fetches the history later with history:fetch. */
async function recentHistory(ctx: ChatContext, room: string): Promise<StoredMessage[]> {
  try {
    return await ctx.history.list(roomChannel(room), { limit: LIMITS.historyDefaultLimit });
  } catch (error) {
    if (!(error instanceof HistoryUnavailableError)) throw error;
    ctx.logger.warn({ room, reason: error.message }, 'joined without history');
    return [];
  }
}
