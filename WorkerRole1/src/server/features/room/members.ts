import { z } from 'zod';
import { LIMITS } from '../../../shared/protocol.js';
import { errors } from '../../errors.js';
import { nicknameKey } from '../../sessions/nickname.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { defineHandler } from '../../socket/event-handler.js';
import { roomName } from '../fields.js';

const schema = z.strictObject({
  room: roomName,
  // A cursor is a nickname key, which case folding can make longer than the nickname.
  after: z.string().min(1).max(LIMITS.nicknameMaxLength * 4).optional(),
  prefix: z.string().min(1).max(LIMITS.nicknameMaxLength).optional(),
  limit: z.number().int().min(1).max(LIMITS.membersPageMax).default(LIMITS.membersPageMax),
});

/** A page of a room's members in case-insensitive order, optionally only those starting with a prefix. */
export const listMembers = defineHandler({
  schema,
  fieldErrors: { room: errors.invalidRoom },
  async run(ctx, socket, { room, after, prefix, limit }) {
    await currentSessionInRoom(ctx, socket, room);
    const page = await ctx.sessions.members(room, {
      limit,
      ...(after === undefined ? {} : { after }),
      ...(prefix === undefined ? {} : { prefix: nicknameKey(prefix.normalize('NFKC')) }),
    });
    return page.next === undefined ? { room, members: page.members } : { room, members: page.members, next: page.next };
  },
});
