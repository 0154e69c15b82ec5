import { z } from 'zod';
import { LIMITS } from '../../../shared/protocol.js';
import { roomChannel, userChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { errors } from '../../errors.js';
import { HistoryUnavailableError, type StoredMessage } from '../../history/history-store.js';
import { roomMembers } from '../../sessions/online.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { roomName } from '../fields.js';
import { toChatMessage } from '../messages.js';

const schema = z.strictObject({ room: roomName });

/** Joins a room (creating it if new) for every tab of the session; answers with who is there and the recent history. */
export const joinRoom = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  async run(ctx, socket, { room }) {
    const session = await currentSession(ctx, socket);
    if (!session.rooms.has(room) && session.rooms.size >= LIMITS.roomsPerSession) {
      throw errors.tooManyRooms(LIMITS.roomsPerSession);
    }
    const joinedNow = await ctx.sessions.join(session.token, room);
    await socket.join(roomChannel(room));
    ctx.io.in(userChannel(session.key)).socketsJoin(roomChannel(room));
    if (joinedNow) {
      ctx.io.to(roomChannel(room)).except(userChannel(session.key)).emit('user:joined', { room, nickname: session.nickname });
    }
    const [members, history] = await Promise.all([roomMembers(ctx, room), recentHistory(ctx, room)]);
    return { room, members, history: history.map((message) => toChatMessage(message, room)) };
  },
});

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
