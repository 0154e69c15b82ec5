import type { ChatContext } from '../context.js';
import { errors } from '../errors.js';
import type { Session } from '../sessions/session-registry.js';
import type { ChatSocket } from './types.js';

/**
 * The live session behind a socket. A socket can outlive its session (another tab presented the
 * token with a new nickname), so the registry has the last word.
 */
export async function currentSession(ctx: ChatContext, socket: ChatSocket): Promise<Session> {
  const token = socket.data.session?.token;
  const session = token === undefined ? undefined : await ctx.sessions.get(token);
  return session ?? sessionGone(ctx, socket);
}

/** The registry has no live session for the socket: it no longer speaks for one, and this instance stops holding it for the socket. */
export function sessionGone(ctx: ChatContext, socket: ChatSocket): never {
  const token = socket.data.session?.token;
  if (token !== undefined) ctx.presence.detach(token, socket.id);
  delete socket.data.session;
  throw errors.noSession();
}

export async function currentSessionInRoom(ctx: ChatContext, socket: ChatSocket, room: string): Promise<Session> {
  const session = await currentSession(ctx, socket);
  if (!session.rooms.has(room)) throw errors.notInRoom(room);
  return session;
}
