import { z } from 'zod';
import { dmConversation } from '../../channels.js';
import { errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { findOnlineUser } from '../../sessions/online.js';
import { currentSession } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { historyLimit, messageId } from '../fields.js';
import { toDirectMessage } from '../messages.js';

const schema = z.strictObject({
  with: z.string().max(256),
  before: messageId.optional(),
  after: messageId.optional(),
  limit: historyLimit,
});

/**
 * A page of the private conversation with whoever holds a nickname now, oldest first. Someone who
 * took a nickname after its last holder left starts a new conversation.
 */
export const fetchDirectHistory = defineHandler({
  schema,
  fieldErrors: { with: errors.invalidNickname },
  async run(ctx, socket, { with: other, before, after, limit }) {
    const session = await currentSession(ctx, socket);
    const parsed = parseNickname(other);
    if (!parsed.ok) throw errors.invalidNickname(parsed.reason);
    const peer = await findOnlineUser(ctx, parsed.nickname.key);
    if (!peer) throw errors.userNotFound(other);
    const messages = await ctx.history.list(dmConversation(session.token, peer.token), { before, after, limit });
    return { messages: messages.map(toDirectMessage) };
  },
});
