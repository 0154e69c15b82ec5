import type { ChatContext } from '../context.js';
import { errors } from '../errors.js';
import type { MessageChange, StoredMessage } from '../history/history-store.js';
import { type MessageAction, mayChangeMessage } from '../sessions/may.js';
import type { ChatSocket } from '../socket/types.js';

export interface MessageChangeRequest {
  conversation: string;
  id: string;
  change: MessageChange;
  /** Hands the message as it now stands to everyone concerned, on every instance. */
  deliver(message: StoredMessage): Promise<void>;
}

/**
 * The one way a message is edited or deleted: asks the store to change it if this socket's
 * person may (sessions/may.ts), then delivers the result. A repeat that changed nothing delivers
 * the current state again, as a resend does (messages.ts): the instance that made the change may
 * have crashed before delivering it, and clients keep the newest version by `editedTs` anyway.
 */
export async function changeAndDeliver(ctx: ChatContext, socket: ChatSocket, request: MessageChangeRequest): Promise<StoredMessage> {
  const action: MessageAction = request.change.kind;
  const result = await ctx.history.change({
    conversation: request.conversation,
    id: request.id,
    change: request.change,
    allowed: (message) => mayChangeMessage(socket.data, action, message),
  });
  switch (result.outcome) {
    case 'missing':
      throw errors.messageNotFound(request.id);
    case 'forbidden':
      throw errors.forbidden(action === 'edit' ? 'only its author can edit a message' : 'only its author or a moderator can delete a message');
    case 'deleted':
      throw errors.messageDeleted(request.id);
  }
  if (result.message.editedTs !== undefined) await request.deliver(result.message);
  ctx.logger.debug({ socket: socket.id, id: request.id, action, outcome: result.outcome }, 'message changed');
  return result.message;
}
