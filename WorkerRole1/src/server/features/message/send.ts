import { z } from 'zod';
import { roomChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { clientId, messageText, roomName } from '../fields.js';
import { deliverOnce, toChatMessage } from '../messages.js';

const schema = z.strictObject({ room: roomName, text: messageText, clientId });

/**
 * Stores a room message, then delivers it to everyone in the room (earlier, if storage is slow);
 * the ack means it is stored. A resend returns the first copy and delivers nothing.
 */
export const sendMessage = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom, text: errors.invalidMessage },
  async run(ctx, socket, payload) {
    const session = await currentSessionInRoom(ctx, socket, payload.room);
    const ts = ctx.now();
    const deliver = deliverOnce((stored) => ctx.io.to(roomChannel(payload.room)).emit('message', toChatMessage(stored, payload.room)));
    const { message, created } = await ctx.history.append(
      {
        message: {
          id: ctx.newMessageId(ts),
          conversation: roomChannel(payload.room),
          from: session.nickname,
          text: payload.text,
          ts,
          clientId: payload.clientId,
        },
        senderKey: session.key,
      },
      deliver,
    );
    if (created) deliver(message);
    const chatMessage = toChatMessage(message, payload.room);
    ctx.logger.debug({ socket: socket.id, room: payload.room, id: message.id, created }, 'message');
    return { message: chatMessage };
  },
});
