import { z } from 'zod';
import { errors } from '../../errors.js';
import { defineHandler } from '../../socket/event-handler.js';
import { messageId, roomName } from '../fields.js';
import { changeAndDeliver } from '../message-changes.js';
import { toChatMessage } from '../messages.js';
import { roomTarget } from './room-target.js';

const schema = z.strictObject({ room: roomName, id: messageId });

/** Its author or a moderator deletes a room message; the room hears message:deleted with the tombstone. */
export const deleteMessage = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  async run(ctx, socket, { room, id }) {
    const target = await roomTarget(ctx, socket, room);
    const message = await changeAndDeliver(ctx, socket, { ...target, id, change: { kind: 'delete', at: ctx.now() } });
    return { message: toChatMessage(message, room) };
  },
});
