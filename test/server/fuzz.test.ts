import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES } from '../../WorkerRole1/src/shared/protocol.js';
import { type RunningChatServer, startChatServer } from '../helpers/chat-server.js';
import {
  type ChatClient,
  closeClients,
  connectClient,
  joinRoom,
  nextEvent,
  okValue,
  rawEmit,
  rawRequest,
  request,
  sendMessage,
  startSession,
} from '../helpers/clients.js';
import { createRandom, type Random } from '../helpers/seeded-random.js';

/**
 * Thousands of random events (names, payloads, argument counts, acks or none, binary) against one
 * server; then the server must still answer a normal session, join and send, and this process must
 * have seen no unhandled rejection. FUZZ_SEED=<n> replays a run; FUZZ_EVENTS=<n> changes its size.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const EVENTS = Number(process.env.FUZZ_EVENTS ?? 3000);
const RAW_PACKETS = Math.round(EVENTS / 10);
/** Events in flight at once (at most 50: see the long-polling socket); FUZZ_BATCH=1 sends one at a time. */
const BATCH = Math.min(50, Number(process.env.FUZZ_BATCH ?? 50));
const MAX_PAYLOAD_BYTES = 32_768;


/** Sets an own property, even "__proto__" (as JSON.parse would), without touching the prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

const KNOWN_EVENTS = [
  'session:start',
  'room:join',
  'room:leave',
  'message:send',
  'dm:send',
  'dm:history',
  'history:fetch',
  'typing',
  'message:edit',
  'message:delete',
  'dm:edit',
  'dm:delete',
  'room:remove',
] as const;
// socket.io-client refuses to emit these; the raw packet fuzz below sends them.
const CLIENT_RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const FIELD_NAMES = ['nickname', 'session', 'room', 'text', 'clientId', 'to', 'with', 'before', 'after', 'limit', 'typing', 'id', 'durationMs', '__proto__', 'constructor', 'prototype', 'toString', ''];
const ROOMS = ['lobby', 'fuzz', 'a', '0', 'x-y'];
const NICKNAMES = ['fuzzer', 'Fuzzer', 'ｆｕｚｚｅｒ', 'fuzz er', 'other'];

function randomString(random: Random, maxLength = 40): string {
  const length = random.chance(0.05) ? random.int(1000, 12_000) : random.int(0, maxLength);
  const alphabet = random.pick([
    () => String.fromCharCode(random.int(0x61, 0x7a)),
    () => String.fromCharCode(random.int(0x00, 0x7f)),
    () => String.fromCharCode(random.int(0x80, 0x2fff)),
    () => String.fromCodePoint(random.int(0x1f300, 0x1faff)),
    () => random.pick(['\u0000', '\u200b', '\u202e', '\ufeff', '\ud800', '\udfff', '\r\n', '\t', ' ', '"', '\\', '<', '>']),
  ]);
  let text = '';
  for (let i = 0; i < length; i++) text += random.chance(0.9) ? alphabet() : String.fromCharCode(random.int(0, 0xffff));
  return text;
}

function randomValue(random: Random, depth = 0): unknown {
  const leaf = depth > 4 || random.chance(0.45);
  if (leaf) {
    return random.pick<() => unknown>([
      () => null,
      () => random.chance(0.5),
      () => random.int(-5, 200),
      () => random.pick([0, -0, 1.5, -1, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity]),
      () => randomString(random),
      () => random.pick(ROOMS),
      () => random.pick(NICKNAMES),
      () => '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      () => Buffer.from(Array.from({ length: random.int(0, 64) }, () => random.int(0, 255))),
      () => undefined,
    ])();
  }
  if (random.chance(0.03)) {
    // Deep nesting.
    let nested: unknown = random.pick([null, 'deep', 1]);
    for (let i = 0, levels = random.int(20, 400); i < levels; i++) nested = random.chance(0.5) ? [nested] : { a: nested };
    return nested;
  }
  if (random.chance(0.4)) return Array.from({ length: random.int(0, 6) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0, count = random.int(0, 6); i < count; i++) {
    setOwn(object, random.chance(0.7) ? random.pick(FIELD_NAMES) : randomString(random, 12), randomValue(random, depth + 1));
  }
  return object;
}

/** A payload close to a valid one for `event`, with a few fields broken. */
function nearlyValidPayload(random: Random, event: (typeof KNOWN_EVENTS)[number]): Record<string, unknown> {
  const valid: Record<string, unknown> = {
    'session:start': { nickname: random.pick(NICKNAMES) },
    'room:join': { room: random.pick(ROOMS) },
    'room:leave': { room: random.pick(ROOMS) },
    'message:send': { room: random.pick(ROOMS), text: 'hi', clientId: `c${random.int(0, 50)}` },
    'dm:send': { to: random.pick(NICKNAMES), text: 'hi', clientId: `c${random.int(0, 50)}` },
    'dm:history': { with: random.pick(NICKNAMES) },
    'history:fetch': { room: random.pick(ROOMS), limit: random.int(0, 120) },
    typing: { room: random.pick(ROOMS), typing: random.chance(0.5) },
    'message:edit': { room: random.pick(ROOMS), id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', text: 'hi' },
    'message:delete': { room: random.pick(ROOMS), id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    'dm:edit': { with: random.pick(NICKNAMES), id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', text: 'hi' },
    'dm:delete': { with: random.pick(NICKNAMES), id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    'room:remove': { room: random.pick(ROOMS), nickname: random.pick(NICKNAMES), durationMs: random.int(0, 120_000) },
  }[event] as Record<string, unknown>;
  const payload = { ...valid };
  for (let i = 0, breaks = random.int(0, 2); i < breaks; i++) {
    const field = random.chance(0.8) ? random.pick(Object.keys(payload).concat(FIELD_NAMES)) : randomString(random, 8);
    if (random.chance(0.3)) delete payload[field];
    else setOwn(payload, field, randomValue(random, 2));
  }
  return payload;
}

function randomEventName(random: Random): string {
  const roll = random.next();
  if (roll < 0.55) return random.pick(KNOWN_EVENTS);
  if (roll < 0.65) return random.pick(['Room:Join', 'room:join ', ' typing', 'message', 'dm', 'user:joined', 'server:draining', 'session:end']);
  if (roll < 0.75) return random.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', '0', 'undefined', 'null']);
  const name = randomString(random, 30);
  return CLIENT_RESERVED.has(name) ? `${name}!` : name;
}

/**
 * Roughly what the event costs on the wire (Buffers travel as separate frames), and how many
 * binary attachments it has: socket.io-parser closes a connection over 10 (maxAttachments).
 */
function wireSize(event: string, args: unknown[]): { bytes: number; attachments: number } {
  let binary = 0;
  let attachments = 0;
  const text = JSON.stringify([event, ...args], (_key, value: unknown) => {
    if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
      attachments += 1;
      binary = Math.max(binary, ((value as { data: unknown[] }).data ?? []).length);
      return null;
    }
    return value;
  });
  return { bytes: Math.max(Buffer.byteLength(text ?? ''), binary), attachments };
}

interface Outcome {
  event: string;
  args: string;
  problem: string;
}

describe(`fuzzing one server (FUZZ_SEED=${SEED})`, () => {
  let server: RunningChatServer;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  before(async () => {
    process.on('unhandledRejection', onRejection);
    server = await startChatServer({
      // The fuzz explores payloads, not the rate limiter (tested on its own).
      eventBurst: 1_000_000,
      eventRatePerSecond: 1_000_000,
      messageBurst: 1_000_000,
      messageRatePerSecond: 1_000_000,
      floodDisconnectAfter: 1_000_000,
      sessionGraceMs: 200,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
    });
  });
  after(async () => {
    closeClients();
    await server.close();
    process.off('unhandledRejection', onRejection);
  });

  it(`survives ${EVENTS} random events with error acks only from the catalogue, never INTERNAL_ERROR`, async (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED} (set it to replay this run)`);
    const random = createRandom(SEED);
    const problems: Outcome[] = [];
    const codes = new Map<string, number>();

    // Some sockets with a session in a room, some without; one on long-polling.
    const sockets: ChatClient[] = [];
    const disconnects: string[] = [];
    const newSocket = async (i: number): Promise<ChatClient> => {
      const transports = i === 0 ? (['polling'] as const) : (['websocket'] as const);
      let socket: ChatClient;
      if (i % 2 === 1) socket = await connectClient(server.url, { transports: [...transports] });
      else {
        socket = (await startSession(server.url, `fuzz-socket-${i}-${random.int(0, 1e6)}`, { client: { transports: [...transports] } })).socket;
        await joinRoom(socket, 'fuzz');
      }
      socket.on('disconnect', (reason, details) => disconnects.push(`socket ${i} (${transports[0]}): ${reason} ${JSON.stringify(details)}`));
      return socket;
    };
    for (let i = 0; i < 5; i++) sockets.push(await newSocket(i));

    /** The last events sent on each socket, to show what preceded a disconnect. */
    const recent: string[][] = sockets.map(() => []);
    let sent = 0;
    while (sent < EVENTS) {
      const batch: Array<Promise<void>> = [];
      for (let b = 0; b < BATCH && sent < EVENTS; b++, sent++) {
        // The long-polling socket (0) takes one event in 50, never two in flight: engine.io-client
        // underestimates the size of lone surrogates when it packs a POST, and would get a 413.
        const index = sent % 50 === 0 ? 0 : random.int(1, sockets.length - 1);
        const socket = sockets[index]!;
        const event = randomEventName(random);
        const known = (KNOWN_EVENTS as readonly string[]).includes(event);
        const argCount = random.chance(0.7) ? 1 : random.pick([0, 2, 3]);
        const args = Array.from({ length: argCount }, () =>
          known && random.chance(0.6) ? nearlyValidPayload(random, event as (typeof KNOWN_EVENTS)[number]) : randomValue(random),
        );
        // Oversized payloads have their own test; too many attachments close the connection by design.
        const size = wireSize(event, args);
        if (size.bytes > MAX_PAYLOAD_BYTES - 2048 || size.attachments > 10) continue;
        const shown = JSON.stringify(args)?.slice(0, 200) ?? String(args);
        const withAck = random.chance(0.75);
        recent[index] = [...recent[index]!.slice(-2), `${JSON.stringify(event).slice(0, 60)} ${withAck ? 'ack' : 'no ack'} ${shown}`];
        if (!withAck) {
          if (random.chance(0.5)) args.push(random.pick([42, 'ack', null, { fn: true }]));
          rawEmit(socket, event, ...args);
          continue;
        }
        batch.push(
          rawRequest(socket, event, args, 5000).then(
            (ack) => {
              if (typeof ack !== 'object' || ack === null || typeof ack.ok !== 'boolean') {
                problems.push({ event, args: shown, problem: `malformed ack ${JSON.stringify(ack)}` });
                return;
              }
              if (ack.ok) {
                codes.set('ok', (codes.get('ok') ?? 0) + 1);
                return;
              }
              const { code, message } = ack.error;
              codes.set(code, (codes.get(code) ?? 0) + 1);
              if (!(ERROR_CODES as readonly string[]).includes(code) || typeof message !== 'string') {
                problems.push({ event, args: shown, problem: `error outside the catalogue ${JSON.stringify(ack.error)}` });
              } else if (code === 'INTERNAL_ERROR') {
                problems.push({ event, args: shown, problem: 'INTERNAL_ERROR' });
              }
            },
            (error: unknown) => {
              problems.push({ event, args: shown, problem: `no ack: ${String(error)}` });
            },
          ),
        );
      }
      await Promise.all(batch);
      // A socket the server closed (it may, for a payload it cannot parse) is replaced.
      for (let i = 0; i < sockets.length; i++) {
        if (!sockets[i]!.connected) {
          problems.push({ event: '(socket)', args: recent[i]!.join('\n'), problem: `socket ${i} was disconnected: ${disconnects.join('; ')}` });
          sockets[i] = await newSocket(i);
        }
      }
    }

    t.diagnostic(`acks: ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.deepEqual(problems.slice(0, 10), [], `FUZZ_SEED=${SEED}: ${problems.length} problems`);
    assert.ok((codes.get('ok') ?? 0) > 0 && (codes.get('INVALID_PAYLOAD') ?? 0) > 0, 'the fuzz reached the handlers');
  });

  it(`survives ${RAW_PACKETS} malformed Socket.IO packets, each closing at most its own connection`, async (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED}`);
    const random = createRandom(SEED ^ 0x5eed);
    const bystander = await startSession(server.url, 'raw-bystander');
    const fixed = [
      '2["x"',
      '2[]',
      '2{"a":1}',
      '2"text"',
      '2[1,2]',
      '21234567890123["room:join",{"room":"lobby"}]',
      '2["disconnect"]',
      '2["connect",{}]',
      '2[null]',
      '3[]',
      '399[1]',
      '4"boom"',
      '5',
      '51-["message:send",{"_placeholder":true,"num":0}]',
      '52-["x",{"_placeholder":true,"num":7}]',
      '6',
      '9',
      '0/admin,{}',
      '1',
      '2/nope,["x"]',
      '',
      `2${'['.repeat(5000)}${']'.repeat(5000)}`,
      `2["typing",${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}]`,
    ];
    let socket = await connectClient(server.url);
    let closedByServer = 0;
    for (let i = 0; i < RAW_PACKETS; i++) {
      const packet =
        i < fixed.length
          ? fixed[i]!
          : random.pick([
              () => `${random.int(0, 9)}${randomString(random, 60)}`,
              () => `2${JSON.stringify([randomEventName(random), randomValue(random)])}`,
              () => `2${JSON.stringify([random.pick(['disconnect', 'connect', 'newListener', 'disconnecting']), randomValue(random)])}`,
              () => `${random.int(0, 9)}${JSON.stringify(randomValue(random))}`.slice(0, random.int(1, 400)),
            ])();
      if (Buffer.byteLength(packet) > MAX_PAYLOAD_BYTES - 1024) continue;
      socket.io.engine.send(packet);
      if (i % 10 === 9 || i === RAW_PACKETS - 1) {
        // A round trip tells whether the connection survived.
        const alive = await rawRequest(socket, 'test:ping', [{}], 2000).then(
          () => true,
          () => false,
        );
        if (!alive) {
          closedByServer += 1;
          socket.close();
          socket = await connectClient(server.url);
        }
      }
    }
    t.diagnostic(`connections closed by the server: ${closedByServer}`);
    okValue(await request(bystander.socket, 'room:join', { room: 'after-raw' }));
  });

  it('still answers a normal session, join and send correctly afterwards', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const alice = await startSession(server.url, 'after-fuzz-alice');
    const bob = await startSession(server.url, 'after-fuzz-bob');
    const room = 'after-fuzz';
    const joined = await joinRoom(alice.socket, room);
    assert.deepEqual(joined.members, ['after-fuzz-alice']);
    assert.deepEqual(joined.history, []);
    await joinRoom(bob.socket, room);
    const delivered = nextEvent(bob.socket, 'message');
    const message = await sendMessage(alice.socket, room, 'hello after the storm');
    assert.deepEqual(await delivered, message);
    assert.equal(message.from, 'after-fuzz-alice');
    const { messages } = okValue(await request(bob.socket, 'history:fetch', { room }));
    assert.deepEqual(messages, [message]);
  });

  it('saw no unhandled rejection in the process', async () => {
    // Let anything pending settle first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(rejections.map(String), [], `FUZZ_SEED=${SEED}`);
  });
});
