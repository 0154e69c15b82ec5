import { h, setText } from '../dom.js';
import { formatDay, formatFull, formatTime } from '../format.js';
import type { OutboxItem } from '../outbox.js';
import type { LogEntry } from './log-entries.js';
import { avatar } from './avatar.js';
import { rebuildIfChanged, reconcile } from './keyed.js';

const NEAR_BOTTOM_PX = 48;

/**
 * Draws the message log and keeps its scroll position sensible: follows new messages when the
 * reader is at the bottom, keeps their place when older pages load above, otherwise offers a
 * "new messages" button. All user text goes in as text nodes.
 */
export class LogView {
  private shownKey: string | null = null;
  private firstKey: string | undefined;
  private lastKey: string | undefined;
  private stickNext = false;
  connected = true;
  me = '';
  /** A moderator gets Delete on everyone's messages. */
  moderator = false;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly list: HTMLOListElement,
    private readonly jumpButton: HTMLButtonElement,
  ) {
    scroller.addEventListener('scroll', () => {
      if (this.atBottom()) jumpButton.hidden = true;
    });
    jumpButton.addEventListener('click', () => this.scrollToBottom());
  }

  /** The next render scrolls to the bottom whatever the position (after sending). */
  stickToBottom(): void {
    this.stickNext = true;
  }

  scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.jumpButton.hidden = true;
  }

  render(conversationKey: string, entries: readonly LogEntry[]): void {
    const switched = conversationKey !== this.shownKey;
    const wasAtBottom = this.atBottom();
    const heightBefore = this.scroller.scrollHeight;
    const topBefore = this.scroller.scrollTop;
    const firstKey = entries.find((entry) => entry.kind === 'message')?.key;
    const lastKey = entries.at(-1)?.key;

    reconcile(this.list, entries, {
      key: (entry) => entry.key,
      create: (entry) => h('li'),
      update: (element, entry) => this.update(element, entry),
    });

    if (switched || wasAtBottom || this.stickNext) {
      this.scrollToBottom();
    } else if (firstKey !== this.firstKey && lastKey === this.lastKey) {
      // Older messages were added above: keep the reader's place.
      this.scroller.scrollTop = topBefore + (this.scroller.scrollHeight - heightBefore);
    } else if (lastKey !== this.lastKey) {
      this.jumpButton.hidden = false;
    }
    this.shownKey = conversationKey;
    this.firstKey = firstKey;
    this.lastKey = lastKey;
    this.stickNext = false;
  }

  private atBottom(): boolean {
    const { scrollHeight, scrollTop, clientHeight } = this.scroller;
    return scrollHeight - scrollTop - clientHeight < NEAR_BOTTOM_PX;
  }

  private update(element: HTMLElement, entry: LogEntry): void {
    switch (entry.kind) {
      case 'day':
        element.className = 'day';
        setText(element, formatDay(entry.ts));
        return;
      case 'notice':
        element.className = 'notice';
        setText(element, entry.notice.text);
        return;
      case 'message': {
        const { message, own, continued } = entry;
        element.className = `msg${own ? ' own' : ''}${continued ? ' continued' : ''}`;
        element.dataset.id = message.id;
        if (message.deleted) element.classList.add('deleted');
        const actions = message.deleted ? [] : own ? ['edit', 'delete'] : this.moderator ? ['delete'] : [];
        rebuildIfChanged(element, `${continued}|${message.editedTs ?? ''}|${message.deleted === true}|${actions.join()}`, () => {
          element.append(avatar(message.from, true), meta(message.from, message.ts, continued));
          element.append(message.deleted ? h('div', { className: 'msg-body msg-tombstone', text: 'This message was deleted.' }) : body(message.text));
          if (message.editedTs !== undefined && !message.deleted) element.append(editedMark(message.editedTs));
          if (actions.length > 0) element.append(messageActions(message.id, actions));
        });
        return;
      }
      case 'pending': {
        const { item, continued } = entry;
        element.className = `msg own pending${item.state === 'failed' ? ' failed' : ''}${continued ? ' continued' : ''}`;
        element.dataset.clientId = item.clientId;
        const status = this.statusText(item);
        rebuildIfChanged(element, `${continued}|${status}`, () =>
          element.append(
            avatar(this.me || '?', true),
            meta(this.me || 'You', item.createdAt, continued),
            body(item.text),
            statusLine(item, status),
          ),
        );
      }
    }
  }

  private statusText(item: OutboxItem): string {
    switch (item.state) {
      case 'failed':
        return `Not sent: ${item.error ?? 'error'}`;
      case 'waiting':
        return 'Sending slowed down by the server, retrying…';
      case 'sending':
        return 'Sending…';
      case 'queued':
        return this.connected ? 'Sending…' : 'Waiting for connection…';
    }
  }
}

function meta(from: string, ts: number, hidden: boolean): HTMLElement {
  const time = h('time', { className: 'msg-time', text: formatTime(ts) });
  time.dateTime = new Date(ts).toISOString();
  time.title = formatFull(ts);
  return h('div', { className: `msg-meta${hidden ? ' visually-hidden' : ''}` }, h('span', { className: 'msg-from', text: from }), time);
}

function body(text: string): HTMLElement {
  return h('div', { className: 'msg-body', text });
}

function editedMark(editedTs: number): HTMLElement {
  return h('span', { className: 'msg-edited muted small', text: '(edited)', attrs: { title: `Edited ${formatFull(editedTs)}` } });
}

const ACTION_LABELS: Record<string, string> = { edit: 'Edit', delete: 'Delete' };

function messageActions(id: string, actions: readonly string[]): HTMLElement {
  return h(
    'div',
    { className: 'msg-actions' },
    ...actions.map((action) =>
      h('button', { className: 'link-button small', text: ACTION_LABELS[action] ?? action, attrs: { type: 'button', 'data-action': action, 'data-id': id } }),
    ),
  );
}

function statusLine(item: OutboxItem, text: string): HTMLElement {
  const line = h('div', { className: 'msg-status' }, h('span', { text }));
  if (item.state === 'failed') {
    line.append(
      h('button', { className: 'link-button', text: 'Retry', attrs: { type: 'button', 'data-action': 'retry', 'data-client-id': item.clientId } }),
      h('button', { className: 'link-button', text: 'Discard', attrs: { type: 'button', 'data-action': 'discard', 'data-client-id': item.clientId } }),
    );
  }
  return line;
}
