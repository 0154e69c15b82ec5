import { z } from 'zod';
import { dmConversation, userChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { authorOf } from '../../sessions/author.js';
import { parseNickname } from '../../sessions/nickname.js';
import { findOnlineUser } from '../../sessions/online.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { publishedBroadcast } from '../../socket/published-broadcast.js';
import { clientId, messageText } from '../fields.js';
import { storeAndDeliver, toDirectMessage } from '../messages.js';

const schema = z.strictObject({ to: z.string().max(256), text: messageText, clientId });

/** A private message to one nickname: stored, then delivered to every tab of both people. */
export const sendDirectMessage = defineHandler({
  schema,
  fieldErrors: { text: errors.invalidMessage },
  async run(ctx, socket, payload) {
    const session = await currentSession(ctx, socket);
    const to = parseNickname(payload.to);
    if (!to.ok) throw errors.userNotFound(payload.to);
    const [recipient, peer] = await Promise.all([
      findOnlineUser(ctx, to.nickname.key),
      ctx.sessions.findPeer(session.token, to.nickname.key),
    ]);
    // The conversation this nickname last had with the sender is not the recipient's (gone, or the
    // nickname changed hands): a resend stored there returns its first copy.
    const samePeer = peer !== undefined && peer.token === recipient?.token;
    if (peer && !samePeer) {
      const earlier = await ctx.history.find(dmConversation(session.token, peer.token), session.key, payload.clientId);
      if (earlier) return { message: toDirectMessage(earlier) };
    }
    if (!recipient) throw errors.userNotFound(payload.to);
    if (!samePeer) await ctx.sessions.notePeer(session.token, recipient.key, { token: recipient.token, nickname: recipient.nickname });

    const { message, created } = await storeAndDeliver(
      ctx,
      {
        conversation: dmConversation(session.token, recipient.token),
        from: session.nickname,
        to: recipient.nickname,
        text: payload.text,
        clientId: payload.clientId,
        author: authorOf(socket.data),
      },
      session.key,
      (stored) => publishedBroadcast(ctx.io, [userChannel(recipient.key), userChannel(session.key)], 'dm', toDirectMessage(stored)),
    );
    ctx.logger.debug({ socket: socket.id, id: message.id, created }, 'direct message');
    return { message: toDirectMessage(message) };
  },
});
