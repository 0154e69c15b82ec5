import { createHash } from 'node:crypto';
import type { SocketData } from '../socket/types.js';

/**
 * Who wrote a message, as stored with it: who may later edit or delete it as its author. Signed
 * in, the person (their identity id, the same on every tab and device); in nickname mode, the
 * session (a hash of its token, which cannot be turned back into the token: stored history must
 * never hold what reclaims a nickname). A nickname alone would not do: whoever takes a freed
 * nickname next must not be able to edit the last holder's messages.
 */
export function authorOf(data: SocketData): string | undefined {
  if (data.identity) return `id:${data.identity.id}`;
  const token = data.session?.token;
  return token === undefined ? undefined : `session:${createHash('sha256').update(`author\n${token}`).digest('base64url')}`;
}
