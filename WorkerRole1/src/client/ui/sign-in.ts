import type { AuthStatus } from '../../shared/protocol.js';
import type { Connection } from '../connection.js';
import { setText } from '../dom.js';
import type { Elements } from '../elements.js';
import type { Store } from '../state/store.js';

/** How people are known here; nickname mode when the server cannot say (it then refuses or accepts the socket itself). */
export async function loadAuthStatus(): Promise<AuthStatus> {
  try {
    const response = await fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' });
    if (response.ok) return (await response.json()) as AuthStatus;
  } catch {
    // Offline or a server from before sign-in: the connection's own answer decides below.
  }
  return { mode: 'nickname' };
}

const FIRST_OFFER = 'Sign in to start chatting.';

/**
 * AUTH_MODE=oidc in the page: the sign-in offer instead of the nickname form, who is signed in
 * and a sign-out link in the top bar, and the offer again whenever the server refuses the
 * connection for want of a sign-in (never signed in, signed out elsewhere, expired).
 */
export function bindSignIn(elements: Elements, store: Store, connection: Connection, status: AuthStatus): void {
  const offerSignIn = (reason: string) => {
    elements.loginForm.hidden = true;
    elements.signInPanel.hidden = false;
    elements.signOutLink.hidden = true;
    setText(elements.signInReason, reason);
    store.signInRequired = true;
    store.view = 'login';
    store.changed();
  };
  const neverSignedIn = status.mode === 'oidc' && !status.signedIn;
  connection.onSignInRequired = (reason) => offerSignIn(neverSignedIn ? FIRST_OFFER : sentence(reason));
  if (status.mode !== 'oidc') return;
  elements.loginForm.hidden = true;
  if (!status.signedIn) return offerSignIn(FIRST_OFFER);
  elements.signOutLink.hidden = false;
  // The display name as the provider has it; the chat shows the nickname made from it (with its tag).
  elements.meName.title = `Signed in as ${status.name}`;
}

function sentence(reason: string): string {
  const text = reason.trim() || 'sign in to chat';
  return `${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}
