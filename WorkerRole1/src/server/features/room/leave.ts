import { z } from 'zod';
import { roomChannel, userChannel } from '../../channels.js';
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
    await ctx.sessions.leave(session.token, room);
    ctx.io.in(userChannel(session.key)).socketsLeave(roomChannel(room));
    ctx.io.to(roomChannel(room)).emit('user:left', { room, nickname: session.nickname });
    return { room };
  },
});
