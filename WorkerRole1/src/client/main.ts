import { Connection } from './connection.js';
import { DirectMessages } from './direct.js';
import { findElements } from './elements.js';
import { Outbox } from './outbox.js';
import { Members } from './members.js';
import { MessageActions } from './message-actions.js';
import { LogView } from './render/log.js';
import { MemberListView } from './render/member-list.js';
import { createRenderer } from './render/renderer.js';
import { Rooms } from './rooms.js';
import { bindServerEvents } from './server-events.js';
import { Session } from './session.js';
import { Store } from './state/store.js';
import { Sync } from './sync.js';
import { TypingSender, TypingTracker } from './typing.js';
import { bindComposer } from './ui/composer.js';
import { bindLogControls } from './ui/log-controls.js';
import { bindLogin } from './ui/login.js';
import { bindMemberControls } from './ui/member-controls.js';
import { bindSignIn, loadAuthStatus } from './ui/sign-in.js';
import { bindModerationControls } from './ui/moderation-controls.js';
import { bindSidebar } from './ui/sidebar-controls.js';

/** Wires the chat client together: state, connection, features, rendering, controls. */
async function main(): Promise<void> {
  const elements = findElements();
  // Before connecting: in oidc mode the socket must not start a nickname session.
  const auth = await loadAuthStatus();
  const store = new Store();
  const connection = new Connection(store);
  const session = new Session(connection, auth.mode === 'oidc' && auth.signedIn);
  const rooms = new Rooms(store, connection);
  const direct = new DirectMessages(store, connection);
  const outbox = new Outbox(store, connection, async (room) => (await rooms.join(room)) === null);
  const typingTracker = new TypingTracker(store);
  const typingSender = new TypingSender(connection);
  const members = new Members(store, connection);
  const actions = new MessageActions(store, connection);
  const log = new LogView(elements.log, elements.messageList, elements.jumpLatest);
  const memberList = new MemberListView(elements, (name) => store.isMe(name));

  store.subscribe(createRenderer(elements, store, outbox, typingTracker, log, memberList));
  bindServerEvents(connection.socket, { store, outbox, direct, typing: typingTracker });

  let showLogin: (error: string | null, nickname: string) => void = () => undefined;
  const sync = new Sync({
    store,
    connection,
    session,
    rooms,
    direct,
    outbox,
    showLogin: (error, nickname) => showLogin(error, nickname),
  });
  showLogin = bindLogin(elements, sync);
  bindSignIn(elements, store, connection, auth);
  bindComposer(elements, store, outbox, typingSender, log);
  bindSidebar(elements, { store, rooms, direct, outbox, typing: typingSender });
  bindLogControls(elements, store, { rooms, direct, outbox, actions });
  bindMemberControls(elements, members, memberList);
  bindModerationControls(elements, memberList, actions);

  document.addEventListener('visibilitychange', () => {
    const active = store.active;
    if (document.visibilityState === 'visible' && active && active.unread > 0) store.open(active.key);
  });
  // Put the cursor where the user types next whenever the screen changes.
  let shownView = store.view;
  store.subscribe(() => {
    if (store.view === shownView) return;
    shownView = store.view;
    if (store.view === 'login') elements.nicknameInput.focus();
    if (store.view === 'chat') elements.composerInput.focus();
  });
  store.changed();
}

void main();
