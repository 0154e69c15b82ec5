import type { ChatIO, SocketData } from '../socket/types.js';
import { userChannel } from '../channels.js';
import { authorOf } from './author.js';
import { type Session, SessionStoreError } from './session-registry.js';

/**
 * Whom a removal from a room keeps out: the nickname, and the person behind it (authorOf: the
 * signed-in identity, or the session). The nickname alone would let a signed-in person back in
 * under another display name; the person alone would miss a session that starts over.
 */
const nicknameSubject = (key: string) => `nick:${key}`;

/** What a joining socket is checked against. */
export function banSubjectsOf(data: SocketData): string[] {
  const author = authorOf(data);
  const key = data.session?.key;
  return [...(key === undefined ? [] : [nicknameSubject(key)]), ...(author === undefined ? [] : [author])];
}

/**
 * What a removal bans: the nickname, the session, and the identity of every socket of the
 * session on any instance (the only place an identity is known; a small, rare cross-instance ask).
 */
export async function banSubjectsOfSession(io: ChatIO, key: string, session: Session | undefined): Promise<string[]> {
  if (!session) return [nicknameSubject(key)];
  let sockets;
  try {
    sockets = await io.in(userChannel(session.key)).fetchSockets();
  } catch (error) {
    // An instance that did not answer (crashed, not yet noticed): the moderator retries shortly.
    throw new SessionStoreError(`not every instance said who is behind "${session.nickname}": ${(error as Error).message}`, { cause: error });
  }
  const subjects = new Set([nicknameSubject(key), ...banSubjectsOf({ session })]);
  for (const socket of sockets) for (const subject of banSubjectsOf(socket.data)) subjects.add(subject);
  return [...subjects];
}
