import { dayKey } from '../format.js';
import type { OutboxItem } from '../outbox.js';
import type { Conversation, LogMessage, Notice } from '../state/conversation.js';

/** One row of the message log. */
export type LogEntry =
  | { kind: 'day'; key: string; ts: number }
  | { kind: 'message'; key: string; message: LogMessage; own: boolean; continued: boolean }
  | { kind: 'notice'; key: string; notice: Notice }
  | { kind: 'pending'; key: string; item: OutboxItem; continued: boolean };

/** Messages from the same person within this window are grouped under one name. */
const GROUP_MS = 5 * 60_000;

/**
 * Lays out a conversation: messages in id order with day separators and "joined/left" notices
 * in place, then our unacknowledged messages (hiding any the server already echoed).
 */
export function buildEntries(
  conversation: Conversation,
  pending: readonly OutboxItem[],
  isMe: (nickname: string) => boolean,
): LogEntry[] {
  const rows: Array<{ sortKey: string; ts: number; message?: LogMessage; notice?: Notice }> = [
    ...conversation.messages.map((message) => ({ sortKey: message.id, ts: message.ts, message })),
    // A notice sorts right after the message that was last when it happened ('~' follows every
    // ULID character); one from before any message sorts first (' ' precedes them all).
    ...conversation.notices.map((notice) => ({
      sortKey: notice.afterId ? `${notice.afterId}~${notice.key}` : ` ${notice.key}`,
      ts: notice.ts,
      notice,
    })),
  ];
  rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));

  const entries: LogEntry[] = [];
  let day = '';
  let previous: LogMessage | undefined;
  for (const row of rows) {
    const rowDay = dayKey(row.ts);
    if (rowDay !== day) {
      day = rowDay;
      entries.push({ kind: 'day', key: `day-${rowDay}`, ts: row.ts });
      previous = undefined;
    }
    if (row.notice) {
      entries.push({ kind: 'notice', key: row.notice.key, notice: row.notice });
      previous = undefined;
    } else if (row.message) {
      const message = row.message;
      const continued =
        previous !== undefined && previous.from === message.from && message.ts - previous.ts < GROUP_MS;
      entries.push({ kind: 'message', key: `m-${message.id}`, message, own: isMe(message.from), continued });
      previous = message;
    }
  }

  let lastWasMine = previous !== undefined && isMe(previous.from);
  for (const item of pending) {
    if (item.echoId !== undefined && conversation.ids.has(item.echoId)) continue;
    entries.push({ kind: 'pending', key: `p-${item.clientId}`, item, continued: lastWasMine });
    lastWasMine = true;
  }
  return entries;
}
