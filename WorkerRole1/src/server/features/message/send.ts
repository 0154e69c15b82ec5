import { z } from 'zod';
import { roomChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { authorOf } from '../../sessions/author.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { publishedBroadcast } from '../../socket/published-broadcast.js';
import { clientId, messageText, roomName } from '../fields.js';
import { storeAndDeliver, toChatMessage } from '../messages.js';

const schema = z.strictObject({ room: roomName, text: messageText, clientId });

/**
 * Stores a room message, then delivers it to everyone in the room (earlier, if storage is slow);
 * the ack means it is stored and on its way to every instance. A resend returns the first copy and
 * delivers it again (storeAndDeliver says why).
 */
export const sendMessage = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom, text: errors.invalidMessage },
  async run(ctx, socket, payload) {
    const session = await currentSessionInRoom(ctx, socket, payload.room);
    const { message, created } = await storeAndDeliver(
      ctx,
      { conversation: roomChannel(payload.room), from: session.nickname, text: payload.text, clientId: payload.clientId, author: authorOf(socket.data) },
      session.key,
      (stored) => publishedBroadcast(ctx.io, [roomChannel(payload.room)], 'message', toChatMessage(stored, payload.room)),
    );
    const chatMessage = toChatMessage(message, payload.room);
    ctx.logger.debug({ socket: socket.id, room: payload.room, id: message.id, created }, 'message');
    return { message: chatMessage };
  },
});
