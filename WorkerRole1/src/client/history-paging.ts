import { catchUpStart } from '../shared/catch-up-start.js';
import { LIMITS, type Ack } from '../shared/protocol.js';
import { oldestId, type Conversation, type LogMessage } from './state/conversation.js';
import type { Store } from './state/store.js';

const PAGE = LIMITS.historyMaxLimit;
/** Catch-up stops after this many pages; older gaps stay reachable through "load earlier". */
const MAX_CATCH_UP_PAGES = 50;

export interface PageQuery {
  after?: string;
  before?: string;
  limit: number;
}

/** One page of a conversation's history: `history:fetch` for a room, `dm:history` for a person. */
export type FetchPage = (query: PageQuery) => Promise<Ack<{ messages: LogMessage[] }>>;

/** Only what the log keeps: a message from the wire may carry more (room, to). */
export const toLog = ({ id, from, text, ts, clientId, editedTs, deleted }: LogMessage): LogMessage => ({
  id,
  from,
  text,
  ts,
  ...(clientId ? { clientId } : {}),
  ...(editedTs === undefined ? {} : { editedTs }),
  ...(deleted ? { deleted } : {}),
});

/**
 * Fetches what arrived since the newest message held, oldest first, until a short page says we
 * are up to date. Only the first page reaches back by the margin: while it pages on, the socket
 * is in the conversation again, so a message stored late from now on is delivered to it live.
 */
export async function catchUpAfter(store: Store, conversation: Conversation, newestHeld: string, fetchPage: FetchPage): Promise<void> {
  let cursor = catchUpStart(newestHeld);
  for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
    const ack = await fetchPage({ after: cursor, limit: PAGE });
    if (!ack.ok) return;
    store.addMessages(conversation, ack.messages.map(toLog), true);
    const newest = ack.messages.at(-1);
    if (ack.messages.length < PAGE || newest === undefined) return;
    cursor = newest.id;
  }
}

/** "Load earlier messages": the page before the oldest one shown. */
export async function loadOlder(store: Store, conversation: Conversation, fetchPage: FetchPage): Promise<void> {
  const before = oldestId(conversation);
  if (conversation.loadingOlder || !conversation.hasOlder || before === undefined) return;
  conversation.loadingOlder = true;
  store.changed();
  try {
    const limit = LIMITS.historyDefaultLimit;
    const ack = await fetchPage({ before, limit });
    if (ack.ok) {
      store.addMessages(conversation, ack.messages.map(toLog), false);
      conversation.hasOlder = ack.messages.length >= limit;
    }
  } finally {
    conversation.loadingOlder = false;
    store.changed();
  }
}
