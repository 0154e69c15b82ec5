import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.js';

export interface SocketSession {
  token: string;
  nickname: string;
  key: string;
}

/**
 * Who signed in (AUTH_MODE=oidc), read from the ID token when the socket connected; absent in
 * nickname mode, where nobody is signed in.
 */
export interface SignedInIdentity {
  /** Stable and unique per person: `tid` + `oid` for Entra ID, `iss` + `sub` for another provider. */
  id: string;
  /** As shown: the token's `name`, else its `preferred_username`. */
  name: string;
  /** The token's `roles` claim (app roles such as `Chat.Moderator`); empty when it has none. */
  roles: readonly string[];
  /** When the sign-in ends, in milliseconds since the epoch. */
  expiresAt: number;
}

/** Per-connection state; plain data so that adapters can carry it between instances. */
export interface SocketData {
  session?: SocketSession;
  identity?: SignedInIdentity;
}

/** What instances tell each other through the adapter (serverSideEmit). */
export interface InterServerEvents {
  /**
   * A message delivered before it was stored is stored now: recent pages of its conversation read
   * since the delivery are stale (other changes show in their own broadcasts; recent-history-cache.ts).
   */
  'history:changed': (conversation: string) => void;
}

export type ChatIO = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ClientEvent = keyof ClientToServerEvents;
