import { byId } from './dom.js';

/** Every element of index.html the client drives, looked up once. */
export function findElements() {
  return {
    overlay: byId('overlay', HTMLDivElement),
    overlayText: byId('overlay-text', HTMLParagraphElement),
    overlayDetail: byId('overlay-detail', HTMLParagraphElement),
    loginView: byId('login-view', HTMLElement),
    loginForm: byId('login-form', HTMLFormElement),
    nicknameInput: byId('nickname-input', HTMLInputElement),
    nicknameError: byId('nickname-error', HTMLParagraphElement),
    loginButton: byId('login-button', HTMLButtonElement),
    chatView: byId('chat-view', HTMLDivElement),
    sidebarToggle: byId('sidebar-toggle', HTMLButtonElement),
    status: byId('connection-status', HTMLSpanElement),
    meName: byId('me-name', HTMLElement),
    sidebar: byId('sidebar', HTMLElement),
    backdrop: byId('sidebar-backdrop', HTMLDivElement),
    roomList: byId('room-list', HTMLUListElement),
    roomForm: byId('room-form', HTMLFormElement),
    roomInput: byId('room-input', HTMLInputElement),
    roomError: byId('room-error', HTMLParagraphElement),
    dmList: byId('dm-list', HTMLUListElement),
    dmEmpty: byId('dm-empty', HTMLParagraphElement),
    memberSearch: byId('member-search', HTMLInputElement),
    memberScroller: byId('member-scroller', HTMLDivElement),
    memberList: byId('member-list', HTMLUListElement),
    memberStatus: byId('member-status', HTMLSpanElement),
    memberRetry: byId('member-retry', HTMLButtonElement),
    membersHeading: byId('members-heading', HTMLHeadingElement),
    conversation: byId('conversation', HTMLElement),
    title: byId('conversation-title', HTMLHeadingElement),
    subtitle: byId('conversation-subtitle', HTMLParagraphElement),
    leaveButton: byId('leave-button', HTMLButtonElement),
    banner: byId('banner', HTMLParagraphElement),
    log: byId('log', HTMLDivElement),
    loadOlder: byId('load-older', HTMLButtonElement),
    messageList: byId('message-list', HTMLOListElement),
    jumpLatest: byId('jump-latest', HTMLButtonElement),
    typing: byId('typing-indicator', HTMLParagraphElement),
    composer: byId('composer', HTMLFormElement),
    composerInput: byId('composer-input', HTMLTextAreaElement),
    composerError: byId('composer-error', HTMLParagraphElement),
  };
}

export type Elements = ReturnType<typeof findElements>;
