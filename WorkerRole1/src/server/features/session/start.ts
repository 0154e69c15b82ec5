import { z } from 'zod';
import { isSignInChannel, userChannel, roomChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { type ChatError, errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { isModerator } from '../../sessions/roles.js';
import type { ClaimResult } from '../../sessions/session-registry.js';
import { defineHandler } from '../../socket/event-handler.js';
import { joinList, joinRooms } from './join-on-start.js';
import type { ChatSocket, SocketSession } from '../../socket/types.js';

const schema = z.strictObject({
  nickname: z.string().max(256),
  session: z.string().min(1).max(128).optional(),
  join: joinList,
});

/**
 * Claims a nickname, or reclaims it with the token of an earlier session. Sent again on a socket
 * that has a session, with another nickname, it renames: the old nickname is released.
 *
 * A resumed session's socket is put back into all its rooms here, and the ack lists them with
 * their member counts: after a reconnect, one round trip restores everything but the messages
 * missed, which the client fetches per room with history:fetch {after}.
 */
export const startSession = defineHandler({
  schema,
  fieldErrors: { nickname: errors.invalidNickname },
  async run(ctx, socket, payload) {
    const parsed = parseNickname(payload.nickname);
    if (!parsed.ok) throw errors.invalidNickname(parsed.reason);

    const previous = socket.data.session;
    const claim = await ctx.sessions.claim(parsed.nickname, payload.session ?? previous?.token, ctx.config.instanceId);
    if (!claim.ok) throw claimRefusal(ctx, claim, parsed.nickname.display);
    return enterSession(ctx, socket, claim, previous, payload.join);
  },
});

/** The error for a claim that did not succeed. */
export function claimRefusal(ctx: ChatContext, claim: Exclude<ClaimResult, { ok: true }>, nickname: string): ChatError {
  if (claim.reason === 'restoring') {
    ctx.presence.renewNow();
    return errors.sessionsRestoring(claim.retryAfterMs);
  }
  return errors.nicknameTaken(nickname);
}

/** Puts the socket into a claimed session (new or resumed) and its rooms; the ack's body. */
export async function enterSession(
  ctx: ChatContext,
  socket: ChatSocket,
  claim: Extract<ClaimResult, { ok: true }>,
  /** The socket's session before the claim was sent. */
  previous: SocketSession | undefined,
  /** session:start's `join`: rooms to enter as room:join would. */
  join?: readonly string[],
) {
  const { session, resumed } = claim;
  if (claim.replaced) ctx.presence.announceDeparture(claim.replaced);

  if (previous && previous.token !== session.token) {
    ctx.presence.detach(previous.token, socket.id);
    // This socket now speaks for another session: none of the old one's channels are its own.
    for (const channel of [...socket.rooms]) if (channel !== socket.id && !isSignInChannel(channel)) await socket.leave(channel);
  }
  socket.data.session = { token: session.token, nickname: session.nickname, key: session.key };
  ctx.presence.attach(session, socket, true);
  // Gone while the claim was awaited: its disconnect handler saw no session, so start the grace here.
  if (socket.disconnected) ctx.presence.detach(session.token, socket.id);
  const rooms = [...session.rooms];
  const [counts] = await Promise.all([
    ctx.sessions.memberCounts(rooms),
    socket.join([userChannel(session.key), ...rooms.map(roomChannel)]),
  ]);

  const joined = join === undefined ? undefined : await joinRooms(ctx, socket, join, session.rooms);

  ctx.logger.info({ socket: socket.id, nickname: session.nickname, resumed, rooms: rooms.length, joined: joined?.length }, 'session started');
  return {
    nickname: session.nickname,
    session: session.token,
    rooms: rooms.map((room, at) => ({ room, memberCount: counts[at] ?? 0 })),
    moderator: isModerator(socket.data),
    ...(joined === undefined ? {} : { joined }),
  };
}
