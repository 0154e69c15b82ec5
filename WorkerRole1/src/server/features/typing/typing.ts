import { z } from 'zod';
import { roomChannel, userChannel } from '../../channels.js';
import { errors } from '../../errors.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import type { ChatSocket } from '../../socket/types.js';
import { roomName } from '../fields.js';

const schema = z.strictObject({ room: roomName, typing: z.boolean() });

/** "Still typing" goes out at most this often per socket and room; "stopped" always does. */
export const TYPING_THROTTLE_MS = 1000;

const lastStartedAt = new WeakMap<ChatSocket, Map<string, number>>();

export const reportTyping = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  ackOptional: true,
  async run(ctx, socket, { room, typing }) {
    const session = await currentSessionInRoom(ctx, socket, room);
    let started = lastStartedAt.get(socket);
    if (!started) {
      started = new Map();
      lastStartedAt.set(socket, started);
    }
    const now = ctx.now();
    if (typing) {
      if (now - (started.get(room) ?? -Infinity) < TYPING_THROTTLE_MS) return {};
      started.set(room, now);
    } else {
      started.delete(room);
    }
    ctx.io.to(roomChannel(room)).except(userChannel(session.key)).emit('typing', { room, nickname: session.nickname, typing });
    return {};
  },
});
