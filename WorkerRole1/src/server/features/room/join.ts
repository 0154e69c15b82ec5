import { z } from 'zod';
import { LIMITS } from '../../../shared/protocol.js';
import { roomChannel, userChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { errors } from '../../errors.js';
import { HistoryUnavailableError, type StoredMessage } from '../../history/history-store.js';
import { nicknameKey } from '../../sessions/nickname.js';
import { banSubjectsOf } from '../../sessions/room-bans.js';
import type { Session } from '../../sessions/session-registry.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
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
  async run(ctx, socket, { room }) {
    // Asked beside the session, not after it: a removal check must not lengthen every join.
    const [session, bannedUntil] = await Promise.all([currentSession(ctx, socket), ctx.sessions.roomBanEnd(room, banSubjectsOf(socket.data))]);
    if (bannedUntil !== undefined) throw errors.removedFromRoom(room, bannedUntil, ctx.now());
    if (!session.rooms.has(room) && session.rooms.size >= LIMITS.roomsPerSession) {
      throw errors.tooManyRooms(LIMITS.roomsPerSession);
    }
    const change = await ctx.sessions.join(session.token, room);
    await socket.join(roomChannel(room));
    ctx.io.in(userChannel(session.key)).socketsJoin(roomChannel(room));
    if (change) ctx.presence.announceJoin(session, change);
    const [page, history] = await Promise.all([
      ctx.sessions.members(room, { limit: LIMITS.joinMembersMax }),
      recentHistory(ctx, room),
    ]);
    const first = firstPage(page.members, page.next, session);
    return {
      room,
      memberCount: page.count,
      members: first.members,
      ...(first.next === undefined ? {} : { next: first.next }),
      history: history.map((message) => toChatMessage(message, room)),
    };
  },
});

/**
 * The first page always shows the caller, in sorted place, even when they sort past its end; the
 * member it displaces is where the next page (room:members {after: next}) starts.
 */
function firstPage(members: string[], next: string | undefined, session: Session): { members: string[]; next?: string } {
  if (members.includes(session.nickname)) return next === undefined ? { members } : { members, next };
  const keyed = members.map((nickname) => ({ nickname, key: nicknameKey(nickname) }));
  let resumeAfter = next;
  if (next !== undefined || keyed.length >= LIMITS.joinMembersMax) {
    keyed.pop();
    resumeAfter = keyed.at(-1)?.key;
  }
  keyed.push({ nickname: session.nickname, key: session.key });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = keyed.map(({ nickname }) => nickname);
  return resumeAfter === undefined ? { members: page } : { members: page, next: resumeAfter };
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
