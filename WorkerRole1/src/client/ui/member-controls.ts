import type { Elements } from '../elements.js';
import type { Members } from '../members.js';
import type { MemberListView } from '../render/member-list.js';

/** Waits this long after the last keystroke before searching, so typing a name is one request. */
const SEARCH_DEBOUNCE_MS = 250;

/**
 * The member list's controls: the search box (debounced, a prefix ignoring case), loading the
 * next page when the list asks for it, and trying again after a failed page.
 */
export function bindMemberControls(elements: Elements, members: Members, view: MemberListView): void {
  const { memberSearch, memberRetry } = elements;
  let timer: ReturnType<typeof setTimeout> | undefined;

  view.onNeed = (room, need) => void (need === 'refresh' ? members.refresh(room) : members.loadMore(room));

  memberSearch.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const room = view.room;
      if (!room) return;
      void members.search(room, memberSearch.value);
      view.searchChanged();
    }, SEARCH_DEBOUNCE_MS);
  });

  // Escape in the box clears the search (the browser empties the field and fires `input`).
  memberSearch.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && memberSearch.value !== '') event.stopPropagation();
  });

  memberRetry.addEventListener('click', () => {
    const room = view.room;
    if (!room) return;
    const { search } = room.members;
    if (search) void members.search(room, search.query);
    else if (room.members.stale) void members.refresh(room);
    else void members.loadMore(room);
  });
}
