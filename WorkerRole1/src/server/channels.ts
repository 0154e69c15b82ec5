/** Socket.IO room names: chat rooms and per-user channels never collide. */
export const roomChannel = (room: string) => `room:${room}`;
export const roomOfChannel = (channel: string) => (channel.startsWith('room:') ? channel.slice('room:'.length) : undefined);
export const userChannel = (nicknameKey: string) => `user:${nicknameKey}`;
/** The sockets of one sign-in (AUTH_MODE=oidc), so that signing out disconnects them on every instance. */
export const signInChannel = (signInId: string) => `signin:${createHash('sha256').update(signInId).digest('base64url')}`;
export const isSignInChannel = (channel: string) => channel.startsWith('signin:');

import { createHash } from 'node:crypto';

/**
 * The history partition of a private conversation, the same whichever side asks. It names the two
 * sessions, not the two nicknames: a nickname is free again once its session ends, and whoever
 * takes it next must not read the last holder's private messages. A session is named by a hash
 * of its token, which cannot be turned back into the token.
 */
export function dmConversation(tokenA: string, tokenB: string): string {
  const [a, b] = [sessionName(tokenA), sessionName(tokenB)].sort();
  return `dm:${a}|${b}`;
}

const sessionName = (token: string) => createHash('sha256').update(token).digest('base64url').slice(0, 22);
