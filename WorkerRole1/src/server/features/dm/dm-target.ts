import { dmConversation, userChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import { errors } from '../../errors.js';
import type { StoredMessage } from '../../history/history-store.js';
import { parseNickname } from '../../sessions/nickname.js';
import { findOnlineUser } from '../../sessions/online.js';
import { currentSession } from '../../socket/current-session.js';
import { publishedBroadcast } from '../../socket/published-broadcast.js';
import type { ChatSocket } from '../../socket/types.js';
import { toDirectMessage } from '../messages.js';

/**
 * The private conversation dm:edit and dm:delete change: the one dm:history shows with whoever
 * holds the nickname now, else the one the sender last wrote to under it. Every tab of both people
 * hears each change.
 */
export async function dmTarget(ctx: ChatContext, socket: ChatSocket, other: string) {
  const session = await currentSession(ctx, socket);
  const parsed = parseNickname(other);
  if (!parsed.ok) throw errors.invalidNickname(parsed.reason);
  const key = parsed.nickname.key;
  const peer = (await findOnlineUser(ctx, key)) ?? (await ctx.sessions.findPeer(session.token, key));
  if (!peer) throw errors.userNotFound(other);
  return {
    conversation: dmConversation(session.token, peer.token),
    deliver: (message: StoredMessage) =>
      publishedBroadcast(ctx.io, [userChannel(key), userChannel(session.key)], message.deleted ? 'dm:deleted' : 'dm:updated', toDirectMessage(message)),
  };
}
