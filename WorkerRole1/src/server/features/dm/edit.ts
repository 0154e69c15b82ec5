import { z } from 'zod';
import { errors } from '../../errors.js';
import { defineHandler } from '../../socket/event-handler.js';
import { messageId, messageText } from '../fields.js';
import { changeAndDeliver } from '../message-changes.js';
import { toDirectMessage } from '../messages.js';
import { dmTarget } from './dm-target.js';

const schema = z.strictObject({ with: z.string().max(256), id: messageId, text: messageText });

/** Its author replaces a private message's text; both people hear dm:updated. */
export const editDirectMessage = defineHandler({
  schema,
  fieldErrors: { with: errors.invalidNickname, text: errors.invalidMessage },
  async run(ctx, socket, { with: other, id, text }) {
    const target = await dmTarget(ctx, socket, other);
    const message = await changeAndDeliver(ctx, socket, { ...target, id, change: { kind: 'edit', text, at: ctx.now() } });
    return { message: toDirectMessage(message) };
  },
});
