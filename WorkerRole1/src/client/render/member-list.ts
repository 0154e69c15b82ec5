import { h, setText } from '../dom.js';
import type { Conversation } from '../state/conversation.js';
import { memberKey, type MemberPages } from '../state/member-pages.js';
import { avatar } from './avatar.js';
import { rebuildIfChanged, reconcile } from './keyed.js';

export interface MemberListElements {
  membersHeading: HTMLElement;
  memberSearch: HTMLInputElement;
  memberScroller: HTMLElement;
  memberList: HTMLUListElement;
  memberStatus: HTMLElement;
  memberRetry: HTMLButtonElement;
}

/** Every row has this height, so the list can draw only the rows in view. */
const ROW_PX = 36;
/** Rows drawn above and below the visible ones, so a quick scroll does not show blanks. */
const OVERSCAN_ROWS = 30;
/** Once the reader scrolls, the next page is asked for when the view comes this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = OVERSCAN_ROWS + 40;
/**
 * Before the reader scrolls, only this close: the room:join answer's page (LIMITS.joinMembersMax)
 * then fills a view of up to 29 rows without a second request, as the first page of 100 did
 * with the look-ahead above. Every join pays for that page, most never scroll.
 */
const UNSCROLLED_AHEAD_ROWS = 10;

export type MemberListNeed = 'more' | 'refresh';

/**
 * The members of the room on screen (or of the last room shown, while a DM is open): a windowed
 * list that only creates the rows in view, however many thousand names are loaded, and asks for
 * the next page as the reader nears the end. A change redraws only when the list's version or
 * the scroll position moved, and then only the rows in view, keyed by nickname.
 */
export class MemberListView {
  room: Conversation | undefined;
  /** Asks for a page: the next one, or the first one again after a resume. */
  onNeed: (room: Conversation, need: MemberListNeed) => void = () => undefined;
  /** Moderators get "Remove" beside each member of a room. */
  moderator = false;
  private drawn = '';
  private anchor: { pages: MemberPages; version: number; name: string; offset: number } | undefined;
  private frame = 0;

  constructor(
    private readonly elements: MemberListElements,
    private readonly isMe: (nickname: string) => boolean,
  ) {
    elements.memberList.style.setProperty('--member-row', `${ROW_PX}px`);
    elements.memberScroller.addEventListener('scroll', () => this.scrolled(), { passive: true });
    // A taller list (window resized, drawer opened) shows more rows.
    new ResizeObserver(() => this.drawSoon()).observe(elements.memberScroller);
  }

  /** The pages on screen: the search results while searching, else the whole list. */
  static shown(room: Conversation): MemberPages {
    return room.members.search?.pages ?? room.members.all;
  }

  render(room: Conversation | undefined): void {
    if (room !== this.room) {
      // A search belongs to the room it was typed for.
      if (this.room) this.room.members.search = undefined;
      this.elements.memberSearch.value = '';
      this.elements.memberScroller.scrollTop = 0;
      this.anchor = undefined;
      this.room = room;
    }
    this.draw();
  }

  /** After the search changed: back to the top of the new results. */
  searchChanged(): void {
    this.elements.memberScroller.scrollTop = 0;
    this.anchor = undefined;
    this.draw();
  }

  private scrolled(): void {
    const pages = this.room && MemberListView.shown(this.room);
    // The reader moved, not the names: the row now on top is what later changes keep in place.
    if (pages && (this.anchor === undefined || this.anchor.version === pages.version)) this.rememberAnchor(pages);
    this.drawSoon();
  }

  private drawSoon(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { room, elements } = this;
    if (!room) {
      setText(elements.membersHeading, 'Online');
      return;
    }
    const { members } = room;
    const pages = MemberListView.shown(room);
    setText(elements.membersHeading, `Online in #${room.name} (${members.count.toLocaleString()})`);
    elements.memberSearch.setAttribute('aria-label', `Find someone in #${room.name}`);

    const { memberScroller: scroller, memberList: list } = elements;
    const height = `${pages.size * ROW_PX}px`;
    if (list.style.height !== height) list.style.height = height;
    this.keepAnchorInPlace(pages);
    const top = Math.floor(scroller.scrollTop / ROW_PX);
    const bottom = top + Math.ceil(scroller.clientHeight / ROW_PX);
    const first = Math.max(0, top - OVERSCAN_ROWS);
    const end = Math.min(pages.size, bottom + 1 + OVERSCAN_ROWS);
    const signature = `${room.key}|${members.search?.query ?? ''}|${pages.version}|${members.count}|${first}|${end}|${this.moderator}`;
    if (signature !== this.drawn) {
      this.drawn = signature;
      list.style.paddingTop = `${first * ROW_PX}px`;
      const searching = members.search !== undefined;
      const setSize = searching ? '-1' : String(Math.max(members.count, pages.size));
      const rows = pages.items().slice(first, end).map((name, offset) => ({ name, position: first + offset + 1 }));
      reconcile(list, rows, {
        key: (row) => memberKey(row.name),
        create: () => h('li'),
        update: (element, row) => {
          element.setAttribute('aria-posinset', String(row.position));
          element.setAttribute('aria-setsize', setSize);
          this.drawMember(element, row.name);
        },
      });
      this.drawStatus(pages, members.search?.query);
    }
    this.rememberAnchor(pages);

    // After a failed page only the retry button (or the next resume) asks again: no request loop.
    if (pages.loading || pages.error !== undefined) return;
    if (members.stale && members.search === undefined) this.onNeed(room, 'refresh');
    else if (!pages.complete && bottom + (scroller.scrollTop > 0 ? LOAD_AHEAD_ROWS : UNSCROLLED_AHEAD_ROWS) >= pages.size) this.onNeed(room, 'more');
  }

  private drawMember(element: HTMLElement, name: string): void {
    const self = this.isMe(name);
    const removable = this.moderator && !self;
    rebuildIfChanged(element, `${name}|${self}|${removable}`, () => {
      if (self) {
        element.append(
          h('span', { className: 'member-self' }, avatar(name), h('span', { className: 'conv-name', text: name }), h('span', { className: 'you', text: '(you)' })),
        );
        return;
      }
      element.append(
        h(
          'button',
          { className: 'member-button', attrs: { type: 'button', 'data-nickname': name, 'aria-label': `Message ${name} privately` } },
          avatar(name),
          h('span', { className: 'conv-name', text: name }),
          h('span', { className: 'presence', attrs: { 'aria-hidden': 'true' } }),
        ),
      );
      if (removable) {
        element.append(
          h('button', { className: 'link-button small member-remove', text: 'Remove', attrs: { type: 'button', 'data-remove': name, 'aria-label': `Remove ${name} from this room` } }),
        );
      }
    });
  }

  private drawStatus(pages: MemberPages, query: string | undefined): void {
    let status = '';
    if (pages.error !== undefined) status = `Could not load the list: ${pages.error}`;
    else if (pages.loading) status = query === undefined ? 'Loading…' : 'Searching…';
    else if (query !== undefined && pages.size === 0 && pages.complete) status = `No one here starts with “${query}”.`;
    setText(this.elements.memberStatus, status);
    this.elements.memberRetry.hidden = pages.error === undefined;
  }

  /** Remembers which row is at the top of the view, so joins above it do not shift the view. */
  private rememberAnchor(pages: MemberPages): void {
    const { scrollTop } = this.elements.memberScroller;
    const index = Math.floor(scrollTop / ROW_PX);
    const name = scrollTop > 0 ? pages.at(index) : undefined;
    this.anchor = name === undefined ? undefined : { pages, version: pages.version, name, offset: scrollTop - index * ROW_PX };
  }

  /** After names were inserted or removed above the view, scrolls by as much, so it stays put. */
  private keepAnchorInPlace(pages: MemberPages): void {
    const { anchor } = this;
    if (!anchor || anchor.pages !== pages || anchor.version === pages.version) return;
    const index = pages.indexOf(anchor.name);
    if (index < 0) return;
    const top = index * ROW_PX + anchor.offset;
    if (Math.abs(this.elements.memberScroller.scrollTop - top) >= 1) this.elements.memberScroller.scrollTop = top;
  }
}
