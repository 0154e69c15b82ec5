import { z } from 'zod';
import { roomChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { historyLimit, messageId, roomName } from '../fields.js';
import { toChatMessage } from '../messages.js';

const schema = z.strictObject({
  room: roomName,
  before: messageId.optional(),
  after: messageId.optional(),
  limit: historyLimit,
});

/**
 * A page of a room's history, oldest first: `before` pages back in time, `after` fetches what a
 * reconnecting client missed (the oldest first, so it can page forward).
 */
export const fetchHistory = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  async run(ctx, socket, { room, before, after, limit }) {
    await currentSessionInRoom(ctx, socket, room);
    const messages = await ctx.history.list(roomChannel(room), { before, after, limit });
    return { messages: messages.map((message) => toChatMessage(message, room)) };
  },
});
