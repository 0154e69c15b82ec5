import { z } from 'zod';
import { errors } from '../../errors.js';
import { defineHandler } from '../../socket/event-handler.js';
import { messageId, messageText, roomName } from '../fields.js';
import { changeAndDeliver } from '../message-changes.js';
import { toChatMessage } from '../messages.js';
import { roomTarget } from './room-target.js';

const schema = z.strictObject({ room: roomName, id: messageId, text: messageText });

/** Its author replaces a room message's text; the room hears message:updated. */
export const editMessage = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom, text: errors.invalidMessage },
  async run(ctx, socket, { room, id, text }) {
    const target = await roomTarget(ctx, socket, room);
    const message = await changeAndDeliver(ctx, socket, { ...target, id, change: { kind: 'edit', text, at: ctx.now() } });
    return { message: toChatMessage(message, room) };
  },
});
