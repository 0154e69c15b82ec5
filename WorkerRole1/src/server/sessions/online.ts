import type { ChatContext } from '../context.js';

export interface OnlineUser {
  nickname: string;
  key: string;
  token: string;
}

/** A user by nickname key: a live session (connected, or in its grace period) on any instance. */
export async function findOnlineUser(ctx: ChatContext, key: string): Promise<OnlineUser | undefined> {
  const session = await ctx.sessions.findByNickname(key);
  return session && { nickname: session.nickname, key: session.key, token: session.token };
}
