import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';
import { type RunningChatServer, startChatServer } from '../../../helpers/chat-server.js';
import { closeClients, flush, joinRoom, okValue, request, startSession } from '../../../helpers/clients.js';

/**
 * An adapter that holds every broadcast until released, as the Redis streams and cluster adapters
 * do while their XADD or IPC message is on its way: Socket.IO's emit() does not wait for it.
 */
class HeldAdapter extends Adapter {
  static held: { packet: unknown; release: () => void }[] = [];
  static onHeld: (() => void) | undefined;

  override async broadcast(packet: any, opts: BroadcastOptions): Promise<void> {
    await new Promise<void>((release) => {
      HeldAdapter.held.push({ packet, release });
      HeldAdapter.onHeld?.();
    });
    super.broadcast(packet, opts);
  }
}

function nextHeld(): Promise<void> {
  return new Promise((resolve) => {
    HeldAdapter.onHeld = () => {
      HeldAdapter.onHeld = undefined;
      resolve();
    };
  });
}

// An instance killed between acking a message and publishing its broadcast would leave the sender
// sure it was sent (no resend) and everyone on the other instances without it, for good.
describe('the ack of a message waits for its broadcast to leave the instance', () => {
  let server: RunningChatServer;
  before(async () => {
    server = await startChatServer({}, { adapter: HeldAdapter });
  });
  after(async () => {
    for (const { release } of HeldAdapter.held.splice(0)) release();
    closeClients();
    await server.close();
  });

  for (const kind of ['room message', 'private message'] as const) {
    it(`acks a ${kind} only once the adapter has published its broadcast`, async () => {
      const suffix = kind === 'room message' ? 'r' : 'p';
      const alice = await startSession(server.url, `alice-${suffix}`);
      const bob = await startSession(server.url, `bob-${suffix}`);
      const room = `lobby-${suffix}`;
      await joinRoom(alice.socket, room);
      await joinRoom(bob.socket, room);
      for (const { release } of HeldAdapter.held.splice(0)) release();

      let acked = false;
      const held = nextHeld();
      const sent = (
        kind === 'room message'
          ? request(alice.socket, 'message:send', { room, text: 'held', clientId: `held-${suffix}` })
          : request(alice.socket, 'dm:send', { to: bob.nickname, text: 'held', clientId: `held-${suffix}` })
      ).then((ack) => {
        acked = true;
        return ack;
      });
      await held;
      // One round trip on the same connection: an ack already sent would have arrived before it.
      await flush(alice.socket);
      assert.equal(acked, false, 'no ack while the broadcast is still held');

      for (const { release } of HeldAdapter.held.splice(0)) release();
      const { message } = okValue(await sent);
      assert.equal(message.text, 'held');
    });
  }
});
