import { z } from 'zod';
import { userChannel, roomChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { defineHandler } from '../../socket/event-handler.js';

const schema = z.strictObject({
  nickname: z.string().max(256),
  session: z.string().min(1).max(128).optional(),
});

/**
 * Claims a nickname, or reclaims it with the token of an earlier session. Sent again on a socket
 * that has a session, with another nickname, it renames: the old nickname is released.
 */
export const startSession = defineHandler({
  schema,
  fieldErrors: { nickname: errors.invalidNickname },
  async run(ctx, socket, payload) {
    const parsed = parseNickname(payload.nickname);
    if (!parsed.ok) throw errors.invalidNickname(parsed.reason);

    const previous = socket.data.session;
    const claim = await ctx.sessions.claim(parsed.nickname, payload.session ?? previous?.token);
    if (!claim.ok) throw errors.nicknameTaken(parsed.nickname.display);
    const { session, resumed } = claim;
    if (claim.replaced) ctx.presence.announceDeparture(claim.replaced);

    if (previous && previous.token !== session.token) {
      ctx.presence.detach(previous.token, socket.id);
      // This socket now speaks for another session: none of the old one's channels are its own.
      for (const channel of [...socket.rooms]) if (channel !== socket.id) await socket.leave(channel);
    }
    socket.data.session = { token: session.token, nickname: session.nickname, key: session.key };
    ctx.presence.attach(session.token, session.key, socket.id);
    // Gone while the claim was awaited: its disconnect handler saw no session, so start the grace here.
    if (socket.disconnected) ctx.presence.detach(session.token, socket.id);
    await socket.join([userChannel(session.key), ...[...session.rooms].map(roomChannel)]);

    ctx.logger.info({ socket: socket.id, nickname: session.nickname, resumed }, 'session started');
    return { nickname: session.nickname, session: session.token };
  },
});
