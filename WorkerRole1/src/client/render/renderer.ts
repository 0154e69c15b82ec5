import { LOBBY } from '../../shared/protocol.js';
import type { Elements } from '../elements.js';
import type { Outbox } from '../outbox.js';
import { roomKey } from '../state/conversation.js';
import type { Store } from '../state/store.js';
import type { TypingTracker } from '../typing.js';
import { renderConversation } from './conversation.js';
import { buildEntries } from './log-entries.js';
import type { LogView } from './log.js';
import type { MemberListView } from './member-list.js';
import { renderSidebar } from './sidebar.js';
import { renderStatus } from './status.js';

const SLOW_START_MS = 5000;

/** Draws everything from the store; called once per batch of changes. */
export function createRenderer(
  elements: Elements,
  store: Store,
  outbox: Outbox,
  typing: TypingTracker,
  log: LogView,
  members: MemberListView,
): () => void {
  let membersRoomKey = roomKey(LOBBY);
  let slowStart = false;
  setTimeout(() => {
    slowStart = true;
    store.changed();
  }, SLOW_START_MS);

  return () => {
    renderStatus(elements, store, outbox.pendingCount(), slowStart);
    if (store.view !== 'chat') return;
    const active = store.active;
    if (!active) return;
    // In a DM, the member list keeps showing the room seen last.
    if (active.kind === 'room') membersRoomKey = active.key;
    renderSidebar(elements, store);
    members.render(store.conversations.get(membersRoomKey) ?? store.conversations.get(roomKey(LOBBY)));
    log.connected = store.status === 'connected';
    log.me = store.me ?? '';
    log.moderator = store.moderator;
    members.moderator = store.moderator && active.kind === 'room';
    log.render(active.key, buildEntries(active, outbox.forConversation(active.key), (name) => store.isMe(name)));
    renderConversation(elements, active, active.kind === 'room' ? typing.names(active.name) : []);
  };
}
