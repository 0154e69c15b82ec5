import { roomChannel, userChannel } from '../channels.js';
import type { ChatContext } from '../context.js';

export interface OnlineUser {
  nickname: string;
  key: string;
  token: string;
}

/**
 * Who is in a room: the sessions this instance knows (some in their grace period) and the
 * sockets joined to it on any instance, which the Socket.IO adapter reports.
 */
export async function roomMembers(ctx: ChatContext, room: string): Promise<string[]> {
  const [local, sockets] = await Promise.all([ctx.sessions.members(room), ctx.io.in(roomChannel(room)).fetchSockets()]);
  const members = new Set(local);
  for (const socket of sockets) {
    if (socket.data.session) members.add(socket.data.session.nickname);
  }
  return [...members];
}

/** A user by nickname key: a session here, or a connected socket on another instance. */
export async function findOnlineUser(ctx: ChatContext, key: string): Promise<OnlineUser | undefined> {
  const local = await ctx.sessions.findByNickname(key);
  if (local) return { nickname: local.nickname, key: local.key, token: local.token };
  const [remote] = await ctx.io.in(userChannel(key)).fetchSockets();
  const session = remote?.data.session;
  return session ? { nickname: session.nickname, key: session.key, token: session.token } : undefined;
}
