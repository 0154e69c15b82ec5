import { setText } from '../dom.js';
import type { Store } from '../state/store.js';

export interface StatusElements {
  overlay: HTMLElement;
  overlayText: HTMLElement;
  overlayDetail: HTMLElement;
  loginView: HTMLElement;
  chatView: HTMLElement;
  status: HTMLElement;
  meName: HTMLElement;
  banner: HTMLElement;
}

const STATUS_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

/** Which screen shows, the connecting overlay, the connection pill, banners and the tab title. */
export function renderStatus(elements: StatusElements, store: Store, pendingCount: number, slowStart: boolean): void {
  elements.loginView.hidden = store.view !== 'login';
  elements.chatView.hidden = store.view !== 'chat';

  const connected = store.status === 'connected';
  // In the chat itself a reconnect only changes the status pill; the overlay is for the start.
  const overlayShown =
    !store.signInRequired &&
    (store.view === 'connecting' || (store.restoring && store.view !== 'chat') || (store.view === 'login' && !connected));
  elements.overlay.hidden = !overlayShown;
  setText(
    elements.overlayText,
    store.restoring ? 'Restoring your session…' : store.status === 'connecting' ? 'Connecting to chat…' : 'Reconnecting…',
  );
  setText(
    elements.overlayDetail,
    store.status === 'offline'
      ? 'You appear to be offline. We will reconnect as soon as the network is back.'
      : slowStart && !connected
        ? 'This is taking longer than usual. Still trying…'
        : '',
  );

  elements.status.className = `status status-${store.status}`;
  setText(elements.status, STATUS_TEXT[store.status]);
  setText(elements.meName, store.me ?? '');

  let banner = '';
  if (store.draining) {
    banner = 'The server is restarting. You will be reconnected automatically; nothing you send is lost.';
  } else if (!connected && store.view === 'chat') {
    banner =
      pendingCount > 0
        ? `Connection lost. ${pendingCount} message${pendingCount === 1 ? '' : 's'} will be sent when it is back.`
        : 'Connection lost. Messages you send now will be delivered when it is back.';
  }
  if (banner === '' && store.alert !== null && store.view === 'chat') banner = store.alert;
  setText(elements.banner, banner);
  elements.banner.hidden = banner === '';

  const unread = store.totalUnread();
  const title = unread > 0 ? `(${unread}) chatapp` : 'chatapp';
  if (document.title !== title) document.title = title;
}
