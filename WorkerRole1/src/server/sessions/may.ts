import type { StoredMessage } from '../history/history-store.js';
import type { SocketData } from '../socket/types.js';
import { authorOf } from './author.js';
import { isModerator } from './roles.js';

export type MessageAction = 'edit' | 'delete';

/**
 * What a person may do, asked in one place. Authors edit and delete their own messages; a
 * moderator deletes anyone's (but edits only their own: nobody puts words in another's mouth)
 * and removes people from rooms.
 */
export function mayChangeMessage(person: SocketData, action: MessageAction, message: StoredMessage): boolean {
  const author = authorOf(person);
  if (author !== undefined && message.author === author) return true;
  return action === 'delete' && isModerator(person);
}

export const mayRemoveFromRoom = (person: SocketData): boolean => isModerator(person);
