import { z } from 'zod';
import { errors } from '../../errors.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { roomName } from '../fields.js';

const schema = z.strictObject({ room: roomName });

export const leaveRoom = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  async run(ctx, socket, { room }) {
    const session = await currentSessionInRoom(ctx, socket, room);
    const change = await ctx.sessions.leave(session.token, room);
    if (change) ctx.presence.announceLeave(session, change);
    return { room };
  },
});
