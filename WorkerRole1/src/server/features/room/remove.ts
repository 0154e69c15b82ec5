import { z } from 'zod';
import { LIMITS } from '../../../shared/protocol.js';
import { roomChannel, userChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { mayRemoveFromRoom } from '../../sessions/may.js';
import { parseNickname } from '../../sessions/nickname.js';
import { banSubjectsOfSession } from '../../sessions/room-bans.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { publishedBroadcast } from '../../socket/published-broadcast.js';
import { roomName } from '../fields.js';

const schema = z.strictObject({
  room: roomName,
  nickname: z.string().max(256),
  durationMs: z.number().int().min(LIMITS.removeMinMs).max(LIMITS.removeMaxMs),
});

/**
 * A moderator removes someone from a room for a while: the ban is in the shared registry first
 * (no instance lets them back in from then on), then the room and every tab of the removed hear
 * room:removed, then their session leaves the room and its sockets leave it on every instance.
 * Someone offline can be removed too: their nickname cannot join until then.
 */
export const removeFromRoom = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom, nickname: errors.invalidNickname },
  async run(ctx, socket, { room, nickname, durationMs }) {
    const moderator = await currentSession(ctx, socket);
    if (!mayRemoveFromRoom(socket.data)) throw errors.forbidden('only a moderator can remove someone from a room');
    const parsed = parseNickname(nickname);
    if (!parsed.ok) throw errors.invalidNickname(parsed.reason);
    const target = await ctx.sessions.findByNickname(parsed.nickname.key);
    const subjects = await banSubjectsOfSession(ctx.io, parsed.nickname.key, target);
    const until = await ctx.sessions.banFromRoom(room, subjects, durationMs);
    const removed = { room, nickname: target?.nickname ?? parsed.nickname.display, by: moderator.nickname, until };
    await publishedBroadcast(ctx.io, [roomChannel(room), userChannel(parsed.nickname.key)], 'room:removed', removed);
    if (target) {
      const change = await ctx.sessions.leave(target.token, room);
      ctx.io.in(userChannel(target.key)).socketsLeave(roomChannel(room));
      if (change) ctx.presence.announceLeave(target, change);
    }
    ctx.logger.info({ socket: socket.id, room, removed: removed.nickname, until }, 'removed from room');
    return { removed };
  },
});
