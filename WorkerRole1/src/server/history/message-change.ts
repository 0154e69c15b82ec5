import type { ChangeRequest, ChangeResult, StoredMessage } from './history-store.js';

/**
 * What one edit or delete does to a message as stored, the same in every store. The rules make
 * concurrent and repeated changes end the same way everywhere:
 * - a deleted message stays deleted: deleting it again changes nothing (a success), editing it is
 *   refused as `deleted`; so a delete wins over any edit, whichever lands first;
 * - an edit to the text the message already has changes nothing, so an edit sent twice is one edit;
 * - otherwise the change lands, and `editedTs` becomes later than the message's last change even
 *   when instances' clocks disagree, so clients keep the change with the greatest `editedTs`.
 * Whether the asker may change the message is decided first, on the message as stored.
 */
export function applyChange(current: StoredMessage, request: ChangeRequest): ChangeResult {
  if (!request.allowed(current)) return { outcome: 'forbidden', message: current };
  const { change } = request;
  if (current.deleted) return { outcome: change.kind === 'delete' ? 'unchanged' : 'deleted', message: current };
  if (change.kind === 'edit' && change.text === current.text) return { outcome: 'unchanged', message: current };
  const editedTs = Math.max(change.at, (current.editedTs ?? current.ts) + 1);
  const message: StoredMessage =
    change.kind === 'edit' ? { ...current, text: change.text, editedTs } : { ...current, text: '', editedTs, deleted: true };
  return { outcome: 'changed', message };
}
