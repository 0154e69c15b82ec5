import { roomChannel } from '../../channels.js';
import type { ChatContext } from '../../context.js';
import type { StoredMessage } from '../../history/history-store.js';
import { currentSessionInRoom } from '../../socket/current-session.js';
import { publishedBroadcast } from '../../socket/published-broadcast.js';
import type { ChatSocket } from '../../socket/types.js';
import { toChatMessage } from '../messages.js';

/**
 * A room's messages as message:edit and message:delete reach them: only from inside the room,
 * and every change is heard by the whole room, on every instance.
 */
export async function roomTarget(ctx: ChatContext, socket: ChatSocket, room: string) {
  await currentSessionInRoom(ctx, socket, room);
  return {
    conversation: roomChannel(room),
    deliver: (message: StoredMessage) =>
      publishedBroadcast(ctx.io, [roomChannel(room)], message.deleted ? 'message:deleted' : 'message:updated', toChatMessage(message, room)),
  };
}
