import type { ChatContext } from '../context.js';
import { errors } from '../errors.js';
import type { ChatSocket, SocketSession } from './types.js';

/**
 * The live session behind a socket. A socket can outlive its session (another tab presented the
 * token with a new nickname, on any instance), so the registry has the last word.
 */
export async function currentSession(ctx: ChatContext, socket: ChatSocket): Promise<SocketSession> {
  return checkedSender(ctx, socket, undefined);
}

/** The registry has no live session for the socket: it no longer speaks for one, and this instance stops holding it for the socket. */
export function sessionGone(ctx: ChatContext, socket: ChatSocket): never {
  const token = socket.data.session?.token;
  if (token !== undefined) ctx.presence.detach(token, socket.id);
  delete socket.data.session;
  throw errors.noSession();
}

/** The live session behind a socket, which must be in `room` (the registry's word too: a moderator or another tab may have taken it out). */
export async function currentSessionInRoom(ctx: ChatContext, socket: ChatSocket, room: string): Promise<SocketSession> {
  return checkedSender(ctx, socket, room);
}

async function checkedSender(ctx: ChatContext, socket: ChatSocket, room: string | undefined): Promise<SocketSession> {
  const session = socket.data.session;
  if (session === undefined) return sessionGone(ctx, socket);
  const check = await ctx.sessions.checkSender(session.token, session.key, room);
  if (check.ok) return { token: session.token, key: session.key, nickname: check.nickname };
  if (check.reason === 'not-in-room') throw errors.notInRoom(room ?? '');
  return sessionGone(ctx, socket);
}
