import type { DirectMessages } from '../direct.js';
import type { Elements } from '../elements.js';
import type { Outbox } from '../outbox.js';
import type { Rooms } from '../rooms.js';
import type { Store } from '../state/store.js';

/** "Load earlier messages", and Retry / Discard on a message that could not be sent. */
export function bindLogControls(elements: Elements, store: Store, rooms: Rooms, direct: DirectMessages, outbox: Outbox): void {
  elements.loadOlder.addEventListener('click', () => {
    const conversation = store.active;
    if (!conversation) return;
    const load = conversation.kind === 'room' ? rooms.loadOlder(conversation) : direct.loadOlder(conversation);
    void load.catch(() => undefined);
  });

  elements.messageList.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('button[data-action]');
    const clientId = button?.dataset.clientId;
    if (!button || !clientId) return;
    if (button.dataset.action === 'retry') outbox.retry(clientId);
    if (button.dataset.action === 'discard') outbox.discard(clientId);
    elements.composerInput.focus();
  });
}
