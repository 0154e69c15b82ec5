import { z } from 'zod';
import { dmConversation, userChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { errors } from '../../errors.js';
import type { StoredMessage } from '../../history/history-store.js';
import { parseNickname } from '../../sessions/nickname.js';
import { findOnlineUser, type OnlineUser } from '../../sessions/online.js';
import type { Session } from '../../sessions/session-registry.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
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
    const recipient = await findOnlineUser(ctx, to.nickname.key);
    const earlier = await firstCopy(ctx, session, to.nickname.key, payload.clientId, recipient);
    if (earlier) return { message: toDirectMessage(earlier) };
    if (!recipient) throw errors.userNotFound(payload.to);

    const [{ message, created }] = await Promise.all([
      storeAndDeliver(
        ctx,
        {
          conversation: dmConversation(session.token, recipient.token),
          from: session.nickname,
          to: recipient.nickname,
          text: payload.text,
          clientId: payload.clientId,
        },
        session.key,
        (stored) => ctx.io.to([userChannel(recipient.key), userChannel(session.key)]).emit('dm', toDirectMessage(stored)),
      ),
      ctx.sessions.notePeer(session.token, recipient.key, { token: recipient.token, nickname: recipient.nickname }),
    ]);
    ctx.logger.debug({ socket: socket.id, id: message.id, created }, 'direct message');
    return { message: toDirectMessage(message) };
  },
});

/**
 * A resend whose first copy went to someone who has left since (or whose nickname is someone
 * else's now) returns that copy: the sender learns it was stored instead of USER_NOT_FOUND.
 */
async function firstCopy(
  ctx: ChatContext,
  session: Session,
  peerKey: string,
  clientId: string,
  recipient: OnlineUser | undefined,
): Promise<StoredMessage | undefined> {
  const peer = await ctx.sessions.findPeer(session.token, peerKey);
  if (!peer || peer.token === recipient?.token) return undefined;
  return ctx.history.find(dmConversation(session.token, peer.token), session.key, clientId);
}
