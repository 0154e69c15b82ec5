import { z } from 'zod';
import { errors } from '../../errors.js';
import { defineHandler } from '../../socket/event-handler.js';
import { messageId } from '../fields.js';
import { changeAndDeliver } from '../message-changes.js';
import { toDirectMessage } from '../messages.js';
import { dmTarget } from './dm-target.js';

const schema = z.strictObject({ with: z.string().max(256), id: messageId });

/** Its author (or a moderator) deletes a private message; both people hear dm:deleted with the tombstone. */
export const deleteDirectMessage = defineHandler({
  schema,
  fieldErrors: { with: errors.invalidNickname },
  async run(ctx, socket, { with: other, id }) {
    const target = await dmTarget(ctx, socket, other);
    const message = await changeAndDeliver(ctx, socket, { ...target, id, change: { kind: 'delete', at: ctx.now() } });
    return { message: toDirectMessage(message) };
  },
});
