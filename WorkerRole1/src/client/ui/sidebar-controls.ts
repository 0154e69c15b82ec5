import { setText } from '../dom.js';
import type { DirectMessages } from '../direct.js';
import type { Elements } from '../elements.js';
import type { Outbox } from '../outbox.js';
import type { Rooms } from '../rooms.js';
import { roomKey } from '../state/conversation.js';
import type { Store } from '../state/store.js';
import type { TypingSender } from '../typing.js';
import { normalizeRoomName, roomNameProblem } from '../validation.js';
import { NoAnswerError } from '../connection.js';

interface Deps {
  store: Store;
  rooms: Rooms;
  direct: DirectMessages;
  outbox: Outbox;
  typing: TypingSender;
}

/** Switching conversations, joining and leaving rooms, starting DMs, and the phone drawer. */
export function bindSidebar(elements: Elements, { store, rooms, direct, outbox, typing }: Deps): void {
  const { sidebar, sidebarToggle, backdrop, roomForm, roomInput, roomError, composerInput } = elements;

  const setDrawer = (open: boolean) => {
    sidebar.classList.toggle('open', open);
    backdrop.hidden = !open;
    sidebarToggle.setAttribute('aria-expanded', String(open));
    // While the drawer covers the conversation, keyboard focus stays in the drawer.
    elements.conversation.inert = open;
    if (open) sidebar.querySelector<HTMLElement>('button, input')?.focus();
  };
  const drawerOpen = () => sidebar.classList.contains('open');
  sidebarToggle.addEventListener('click', () => setDrawer(!drawerOpen()));
  backdrop.addEventListener('click', () => setDrawer(false));
  // Widening the window past the phone layout shows the sidebar in place: drop the drawer state.
  window.matchMedia('(max-width: 600px)').addEventListener('change', (query) => {
    if (!query.matches && drawerOpen()) setDrawer(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && drawerOpen()) {
      setDrawer(false);
      sidebarToggle.focus();
    }
  });

  /** Shows a conversation and puts the cursor in the message box. */
  const show = (key: string) => {
    if (key !== store.activeKey) typing.stop();
    store.open(key);
    if (drawerOpen()) setDrawer(false);
    composerInput.focus();
  };

  for (const list of [elements.roomList, elements.dmList]) {
    list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLElement>('button[data-key]');
      if (button?.dataset.key) show(button.dataset.key);
    });
  }

  elements.memberList.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('button[data-nickname]');
    const nickname = button?.dataset.nickname;
    if (!nickname) return;
    typing.stop();
    const conversation = direct.open(nickname);
    show(conversation.key);
  });

  const showRoomError = (message: string) => {
    setText(roomError, message);
    if (message) roomInput.setAttribute('aria-invalid', 'true');
    else roomInput.removeAttribute('aria-invalid');
  };
  roomInput.addEventListener('input', () => {
    if (roomError.textContent) showRoomError(roomNameProblem(roomInput.value) ?? '');
  });

  roomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const problem = roomNameProblem(roomInput.value);
    if (problem) return showRoomError(problem);
    const name = normalizeRoomName(roomInput.value);
    if (store.conversations.has(roomKey(name))) {
      roomInput.value = '';
      showRoomError('');
      return show(roomKey(name));
    }
    void rooms
      .join(name)
      .then((error) => {
        if (error) return showRoomError(error.message);
        roomInput.value = '';
        showRoomError('');
        show(roomKey(name));
      })
      .catch((error: unknown) => {
        if (!(error instanceof NoAnswerError)) throw error;
        showRoomError('Not connected. Try again when the connection is back.');
      });
  });

  elements.leaveButton.addEventListener('click', () => {
    const conversation = store.active;
    if (!conversation) return;
    typing.stop();
    if (conversation.kind === 'dm') {
      outbox.dropConversation(conversation.key);
      store.remove(conversation.key);
      return composerInput.focus();
    }
    void rooms
      .leave(conversation.name)
      .then((error) => {
        if (error) return store.notice(conversation, `Could not leave: ${error.message}`);
        outbox.dropConversation(conversation.key);
        composerInput.focus();
      })
      .catch(() => store.notice(conversation, 'Could not leave: not connected.'));
  });
}
