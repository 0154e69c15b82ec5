import { z } from 'zod';
import { dmConversation, userChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { findOnlineUser } from '../../sessions/online.js';
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
    const recipient = to.ok ? await findOnlineUser(ctx, to.nickname.key) : undefined;
    if (!recipient) throw errors.userNotFound(payload.to);

    const { message, created } = await storeAndDeliver(
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
    );
    const directMessage = toDirectMessage(message);
    ctx.logger.debug({ socket: socket.id, id: message.id, created }, 'direct message');
    return { message: directMessage };
  },
});
