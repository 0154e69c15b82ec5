import { z } from 'zod';
import { signedInNickname } from '../../auth/identity.js';
import type { SignInRecords } from '../../auth/sign-in-records.js';
import { errors } from '../../errors.js';
import { parseNickname } from '../../sessions/nickname.js';
import { defineHandler } from '../../socket/event-handler.js';
import { joinList } from './join-on-start.js';
import { claimRefusal, enterSession } from './start.js';

const schema = z.strictObject({
  // Accepted for the client's sake (it sends what it kept) but never trusted: see below.
  session: z.string().min(1).max(128).optional(),
  nickname: z.unknown().optional(),
  join: joinList,
});

/** Two tabs of one person starting at once: the loser reads the winner's token and resumes it. */
const CLAIM_ATTEMPTS = 3;
const CLAIM_RETRY_MS = 150;

/**
 * session:start with AUTH_MODE=oidc. The nickname comes from the sign-in the handshake settled
 * (auth/handshake.ts): a nickname in the payload is refused, and a session token in it is ignored,
 * because the session is the person's: the server keeps which session token belongs to which
 * identity, so every tab and device of one person joins the same session, and nobody's payload can
 * reach another person's.
 */
export function startSignedInSession(records: SignInRecords) {
  return defineHandler({
    schema,
    async run(ctx, socket, payload) {
      if (payload.nickname !== undefined) {
        throw errors.invalidPayload('nickname: signed-in people chat under the name they signed in with; send session:start without a nickname');
      }
      const identity = socket.data.identity;
      if (!identity) throw errors.invalidPayload('this connection has no sign-in; sign in again');
      const parsed = parseNickname(signedInNickname(identity));
      if (!parsed.ok) throw errors.invalidNickname(parsed.reason);

      const previous = socket.data.session;
      for (let attempt = 1; ; attempt += 1) {
        const token = (await records.personSession(identity.id)) ?? previous?.token;
        const claim = await ctx.sessions.claim(parsed.nickname, token, ctx.config.instanceId);
        if (claim.ok) {
          if (claim.session.token !== token) await records.rememberPersonSession(identity.id, claim.session.token);
          return enterSession(ctx, socket, claim, previous, payload.join);
        }
        if (claim.reason !== 'taken' || attempt === CLAIM_ATTEMPTS) throw claimRefusal(ctx, claim, parsed.nickname.display);
        await new Promise((resolve) => setTimeout(resolve, CLAIM_RETRY_MS));
      }
    },
  });
}
