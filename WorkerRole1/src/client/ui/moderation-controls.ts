import type { Elements } from '../elements.js';
import type { MessageActions } from '../message-actions.js';
import type { MemberListView } from '../render/member-list.js';

const DEFAULT_MINUTES = '10';

/** A moderator's "Remove" beside a member: for how long is asked, the room is the one listed. */
export function bindModerationControls(elements: Elements, view: MemberListView, actions: MessageActions): void {
  elements.memberList.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('button[data-remove]');
    const nickname = button?.dataset.remove;
    const room = view.room;
    if (nickname === undefined || !room) return;
    event.stopPropagation();
    const answer = window.prompt(`Remove ${nickname} from #${room.name} for how many minutes?`, DEFAULT_MINUTES);
    const minutes = answer === null ? NaN : Number(answer);
    if (Number.isFinite(minutes) && minutes > 0) void actions.remove(room.name, nickname, minutes);
  });
}
