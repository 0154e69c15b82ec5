import { randomBytes } from 'node:crypto';
import { closeClients, connectClient, errorOf, joinRoom, newClientId, okValue, request, sendMessage, startSession } from '../../helpers/clients.js';

/** A string that appears nowhere unless something copied it out of a message, nickname or secret. */
export const newMarker = () => `pv${randomBytes(5).toString('hex')}`;

export interface ChatTranscript {
  /** The session tokens the server handed out: credentials, never to be exported. */
  tokens: string[];
}

/**
 * What an operator's dashboards are built from: two people with the marker in their nicknames
 * chat in a room and privately with the marker in every text, one message is refused
 * (INVALID_MESSAGE), one nickname is taken (NICKNAME_TAKEN), history is fetched.
 */
export async function shortChat(url: string, marker: string): Promise<ChatTranscript> {
  const alice = await startSession(url, `${marker}a`);
  const bob = await startSession(url, `${marker}b`);
  await joinRoom(alice.socket, 'telemetry');
  await joinRoom(bob.socket, 'telemetry');
  for (let i = 0; i < 3; i += 1) await sendMessage(alice.socket, 'telemetry', `${marker} room message ${i}`);
  await sendMessage(bob.socket, 'telemetry', `a reply to ${marker}`);
  okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: `${marker} private`, clientId: newClientId() }));
  errorOf(await request(alice.socket, 'message:send', { room: 'telemetry', text: '', clientId: newClientId() }), 'INVALID_MESSAGE');
  const late = await connectClient(url);
  errorOf(await request(late, 'session:start', { nickname: `${marker}a` }), 'NICKNAME_TAKEN');
  okValue(await request(bob.socket, 'history:fetch', { room: 'telemetry' }));
  closeClients();
  return { tokens: [alice.session, bob.session] };
}
