import { h, setText } from '../dom.js';
import type { Conversation } from '../state/conversation.js';
import type { Store } from '../state/store.js';
import { avatar } from './avatar.js';
import { reconcile } from './keyed.js';

export interface SidebarElements {
  roomList: HTMLUListElement;
  dmList: HTMLUListElement;
  dmEmpty: HTMLElement;
}

/** The sidebar's conversations: joined rooms and DM threads, with unread counts. */
export function renderSidebar(elements: SidebarElements, store: Store): void {
  const rooms = store.rooms().sort((a, b) => a.name.localeCompare(b.name));
  reconcile(elements.roomList, rooms, conversationRenderer(store));
  const dms = store.dms().sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
  reconcile(elements.dmList, dms, conversationRenderer(store));
  elements.dmEmpty.hidden = dms.length > 0;
}

function conversationRenderer(store: Store) {
  return {
    key: (conversation: Conversation) => conversation.key,
    // Built once and updated in place, so a focused button keeps focus when counts change.
    create: (conversation: Conversation) =>
      h(
        'li',
        {},
        h(
          'button',
          { className: 'conv-button', attrs: { type: 'button', 'data-key': conversation.key } },
          conversation.kind === 'room'
            ? h('span', { className: 'conv-hash', text: '#', attrs: { 'aria-hidden': 'true' } })
            : avatar(conversation.name),
          h('span', { className: 'conv-name' }),
          h('span', { className: 'badge', attrs: { 'aria-hidden': 'true' } }),
        ),
      ),
    update: (element: HTMLElement, conversation: Conversation) => {
      const button = element.querySelector('button');
      const name = element.querySelector('.conv-name');
      const badge = element.querySelector<HTMLElement>('.badge');
      if (!button || !name || !badge) return;
      const label = conversation.kind === 'room' ? `#${conversation.name}` : `${conversation.name} (private)`;
      const unread = conversation.unread > 0 ? `, ${conversation.unread} unread` : '';
      button.setAttribute('aria-label', `${label}${unread}`);
      if (conversation.key === store.activeKey) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
      setText(name, conversation.name);
      setText(badge, String(conversation.unread));
      badge.hidden = conversation.unread === 0;
    },
  };
}
