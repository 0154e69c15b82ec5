import type { ExtendedError } from 'socket.io';
import { SIGN_IN_REQUIRED, type ConnectRefusal } from '../../shared/protocol.js';
import type { Logger } from '../logger.js';
import type { ChatSocket } from '../socket/types.js';
import { SIGN_IN_COOKIE, readCookie } from './cookies.js';
import { signInChannel } from '../channels.js';
import { type SignInRecords, isSignInId } from './sign-in-records.js';

/** setTimeout's limit; a sign-in longer than this (25 days) is checked again at the next handshake. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Settles who is connecting, once, at the handshake (AUTH_MODE=oidc): the sign-in cookie must name
 * a live sign-in in the shared store, and nothing the client sends can say otherwise. A refused
 * handshake reaches the client as `connect_error` with `data.code` SIGN_IN_REQUIRED. The socket
 * is disconnected when the sign-in expires, and its sign-in's channel lets a sign-out on any
 * instance disconnect it.
 */
export function requireSignIn(records: SignInRecords, logger: Logger, now: () => number) {
  return async (socket: ChatSocket, next: (error?: ExtendedError) => void): Promise<void> => {
    const id = readCookie(socket.request, SIGN_IN_COOKIE);
    let signIn;
    try {
      signIn = isSignInId(id) ? await records.read(id, now()) : undefined;
    } catch (error) {
      logger.warn({ err: error }, 'connection refused: sign-ins cannot be read');
      return next(refusal('STORE_UNAVAILABLE', 'sign-ins cannot be checked right now; retry shortly'));
    }
    if (!signIn || !id) {
      logger.info({ socket: socket.id, cookie: id !== undefined }, 'connection refused: not signed in');
      return next(refusal(SIGN_IN_REQUIRED, id === undefined ? 'sign in first' : 'the sign-in has ended; sign in again'));
    }
    socket.data.identity = signIn.identity;
    socket.join(signInChannel(id));
    const timer = setTimeout(() => {
      logger.info({ socket: socket.id }, 'sign-in expired: disconnecting');
      socket.disconnect(true);
    }, Math.min(LONGEST_TIMER_MS, Math.max(0, signIn.identity.expiresAt - now())));
    socket.once('disconnect', () => clearTimeout(timer));
    next();
  };
}

function refusal(code: ConnectRefusal['code'], message: string): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code, message } satisfies ConnectRefusal;
  return error;
}
