import type { SocketData } from '../socket/types.js';

/** The app role (the ID token's `roles` claim) of people who may moderate every room. */
export const MODERATOR_ROLE = 'Chat.Moderator';

/** Only a signed-in person can be a moderator: nickname mode has no roles. */
export const isModerator = (data: SocketData): boolean => data.identity?.roles.includes(MODERATOR_ROLE) ?? false;
