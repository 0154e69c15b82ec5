import { createHash } from 'node:crypto';
import { LIMITS } from '../../shared/protocol.js';
import type { SignedInIdentity } from '../socket/types.js';

/** The ID token claims the chat reads; openid-client has checked the token before they get here. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  exp: number;
  tid?: unknown;
  oid?: unknown;
  name?: unknown;
  preferred_username?: unknown;
  roles?: unknown;
}

/**
 * Who signed in. Entra ID names a person by tenant and object id (`sub` differs per application,
 * `oid` does not); another provider by issuer and subject. Either way the id is stable and unique.
 */
export function identityFromClaims(claims: IdTokenClaims): SignedInIdentity {
  const entra = typeof claims.tid === 'string' && typeof claims.oid === 'string';
  const id = entra ? `entra:${claims.tid as string}:${claims.oid as string}` : `oidc:${claims.iss}|${claims.sub}`;
  const name = firstText(claims.name) ?? firstText(claims.preferred_username) ?? 'someone';
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [];
  return { id, name, roles, expiresAt: claims.exp * 1000 };
}

function firstText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

const TAG_LENGTH = 6;
const TAG_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * The nickname a signed-in person chats under: the display name made a valid nickname, plus a tag
 * derived from the identity, so that two people called "Alex Kim" read "Alex Kim-k3m9qa" and
 * "Alex Kim-7hwr2d", and one person has the same one on every tab and device.
 */
export function signedInNickname(identity: SignedInIdentity): string {
  const room = LIMITS.nicknameMaxLength - TAG_LENGTH - 1;
  const base = [
    ...identity.name
      .normalize('NFKC')
      .replace(/[^\p{L}\p{M}\p{N} _.]+/gu, ' ')
      .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
      .replace(/^[\p{M} ]+/u, '')
      .replace(/ {2,}/g, ' ')
      .trim(),
  ]
    .slice(0, room)
    .join('')
    .trim();
  return `${base || 'user'}-${identityTag(identity.id)}`;
}

function identityTag(id: string): string {
  const digest = createHash('sha256').update(id).digest();
  return [...digest.subarray(0, TAG_LENGTH)].map((byte) => TAG_ALPHABET[byte % TAG_ALPHABET.length]).join('');
}
