import type { DirectMessages } from '../direct.js';
import type { Elements } from '../elements.js';
import type { MessageActions } from '../message-actions.js';
import type { Outbox } from '../outbox.js';
import type { Rooms } from '../rooms.js';
import type { Store } from '../state/store.js';

/**
 * "Load earlier messages", Retry / Discard on a message that could not be sent, and Edit / Delete
 * on a message (the browser's own prompt and confirm dialogs: plain text in, plain text out).
 */
export function bindLogControls(
  elements: Elements,
  store: Store,
  { rooms, direct, outbox, actions }: { rooms: Rooms; direct: DirectMessages; outbox: Outbox; actions: MessageActions },
): void {
  elements.loadOlder.addEventListener('click', () => {
    const conversation = store.active;
    if (!conversation) return;
    const load = conversation.kind === 'room' ? rooms.loadOlder(conversation) : direct.loadOlder(conversation);
    void load.catch(() => undefined);
  });

  elements.messageList.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('button[data-action]');
    const conversation = store.active;
    const id = button?.dataset.id;
    if (button && conversation && id !== undefined) {
      const message = conversation.messages.find((candidate) => candidate.id === id);
      if (!message) return;
      if (button.dataset.action === 'edit') {
        const text = window.prompt('Edit your message', message.text);
        if (text !== null && text.trim() !== '' && text !== message.text) void actions.edit(conversation, id, text);
      }
      if (button.dataset.action === 'delete' && window.confirm(store.isMe(message.from) ? 'Delete your message?' : `Delete ${message.from}'s message for everyone?`)) {
        void actions.delete(conversation, id);
      }
      return;
    }
    const clientId = button?.dataset.clientId;
    if (!button || !clientId) return;
    if (button.dataset.action === 'retry') outbox.retry(clientId);
    if (button.dataset.action === 'discard') outbox.discard(clientId);
    elements.composerInput.focus();
  });
}
