import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemorySessionRegistry } from '../../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import { type EnterOptions, type EnterResult, type Session, SessionStoreError } from '../../../WorkerRole1/src/server/sessions/session-registry.js';
import { type RunningChatServer, startChatServer } from '../../helpers/chat-server.js';
import { closeClients, errorOf, request, startSession } from '../../helpers/clients.js';

/** A session store that can be made to fail the lookups events make, as an unreachable Redis does. */
class FailingRegistry extends MemorySessionRegistry {
  down = false;

  override async get(token: string): Promise<Session | undefined> {
    this.failWhenDown();
    return super.get(token);
  }

  override async enter(token: string, room: string, options: EnterOptions): Promise<EnterResult> {
    this.failWhenDown();
    return super.enter(token, room, options);
  }

  private failWhenDown(): void {
    if (this.down) throw new SessionStoreError('session store (Redis) did not answer within 2000 ms');
  }
}

describe('events while the session store is unreachable', () => {
  const registry = new FailingRegistry({ presenceIndividualMax: 50 });
  let server: RunningChatServer;
  before(async () => {
    server = await startChatServer({ eventBurst: 1000, eventRatePerSecond: 1000 }, { sessions: registry });
  });
  after(async () => {
    closeClients();
    await server.close();
  });

  it('answers STORAGE_UNAVAILABLE with a retry delay of 1-3 s, spread so that refused clients do not retry together', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, (_, n) => startSession(server.url, `waiting ${n}`)));
    registry.down = true;
    const delays = await Promise.all(
      clients.map(async ({ socket }) => errorOf(await request(socket, 'room:join', { room: 'lobby' }), 'STORAGE_UNAVAILABLE').retryAfterMs),
    );
    registry.down = false;
    for (const delay of delays) assert.ok(delay !== undefined && delay >= 1000 && delay < 3000, `retryAfterMs ${delay}`);
    assert.ok(new Set(delays).size > 5, `20 refusals share only ${new Set(delays).size} distinct delays: ${delays.join(', ')}`);
  });
});
