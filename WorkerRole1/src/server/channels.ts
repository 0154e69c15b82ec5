/** Socket.IO room names: chat rooms and per-user channels never collide. */
export const roomChannel = (room: string) => `room:${room}`;
export const userChannel = (nicknameKey: string) => `user:${nicknameKey}`;

/** The history partition of a private conversation, the same whichever side asks. */
export function dmConversation(keyA: string, keyB: string): string {
  return keyA < keyB ? `dm:${keyA}|${keyB}` : `dm:${keyB}|${keyA}`;
}
