import { z } from 'zod';
import { userChannel, roomChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { isModerator } from '../../sessions/roles.js';
import { defineHandler } from '../../socket/event-handler.js';

const schema = z.strictObject({
  nickname: z.string().max(256),
  session: z.string().min(1).max(128).optional(),
});

/**
 * Claims a nickname, or reclaims it with the token of an earlier session. Sent again on a socket
 * that has a session, with another nickname, it renames: the old nickname is released.
 *
 * A resumed session's socket is put back into all its rooms here, and the ack lists them with
 * their member counts: after a reconnect, one round trip restores everything but the messages
 * missed, which the client fetches per room with history:fetch {after}.
 */
export const startSession = defineHandler({
  schema,
  fieldErrors: { nickname: errors.invalidNickname },
  async run(ctx, socket, payload) {
    const parsed = parseNickname(payload.nickname);
    if (!parsed.ok) throw errors.invalidNickname(parsed.reason);

    const previous = socket.data.session;
    const claim = await ctx.sessions.claim(parsed.nickname, payload.session ?? previous?.token, ctx.config.instanceId);
    if (!claim.ok) {
      if (claim.reason === 'restoring') {
        ctx.presence.renewNow();
        throw errors.sessionsRestoring(claim.retryAfterMs);
      }
      throw errors.nicknameTaken(parsed.nickname.display);
    }
    const { session, resumed } = claim;
    if (claim.replaced) ctx.presence.announceDeparture(claim.replaced);

    if (previous && previous.token !== session.token) {
      ctx.presence.detach(previous.token, socket.id);
      // This socket now speaks for another session: none of the old one's channels are its own.
      for (const channel of [...socket.rooms]) if (channel !== socket.id) await socket.leave(channel);
    }
    socket.data.session = { token: session.token, nickname: session.nickname, key: session.key };
    ctx.presence.attach(session, socket, true);
    // Gone while the claim was awaited: its disconnect handler saw no session, so start the grace here.
    if (socket.disconnected) ctx.presence.detach(session.token, socket.id);
    const rooms = [...session.rooms];
    const [counts] = await Promise.all([
      ctx.sessions.memberCounts(rooms),
      socket.join([userChannel(session.key), ...rooms.map(roomChannel)]),
    ]);

    ctx.logger.info({ socket: socket.id, nickname: session.nickname, resumed, rooms: rooms.length }, 'session started');
    return {
      nickname: session.nickname,
      session: session.token,
      rooms: rooms.map((room, at) => ({ room, memberCount: counts[at] ?? 0 })),
      moderator: isModerator(socket.data),
    };
  },
});
