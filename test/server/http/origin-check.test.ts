import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { type RunningChatServer, startChatServer } from '../../helpers/chat-server.js';
import { closeClients, connectClient, expectConnectError, okValue, request } from '../../helpers/clients.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  upgraded: boolean;
}

/** A bare HTTP request (a WebSocket upgrade when `upgrade`), with the headers a browser would send. */
function rawRequest(port: number, path: string, headers: Record<string, string>, upgrade = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const upgradeHeaders = upgrade
      ? { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') }
      : {};
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { ...upgradeHeaders, ...headers } });
    req.setTimeout(2000, () => req.destroy(new Error('timed out')));
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '', upgraded: true });
    });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, upgraded: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

const EVIL = 'http://evil.example';
const FRIEND = 'https://chat.example.com';
const POLLING = '/socket.io/?EIO=4&transport=polling';
const WEBSOCKET = '/socket.io/?EIO=4&transport=websocket';

describe('Origin check', () => {
  let server: RunningChatServer;

  before(async () => {
    server = await startChatServer({ allowedOrigins: [FRIEND] });
  });
  afterEach(() => closeClients());
  after(() => server.close());

  describe('refuses a connection from an origin that is neither the server nor allowed', () => {
    it('over long-polling (socket.io-client)', async () => {
      const error = await expectConnectError(server.url, { transports: ['polling'], extraHeaders: { origin: EVIL } });
      assert.match(error.message, /xhr poll error|origin not allowed/);
    });

    it('over a WebSocket (socket.io-client)', async () => {
      const error = await expectConnectError(server.url, { transports: ['websocket'], extraHeaders: { origin: EVIL } });
      assert.match(error.message, /websocket error|origin not allowed/);
    });

    it('answers the polling handshake with 403 and no session id', async () => {
      const answer = await rawRequest(server.port, POLLING, { Origin: EVIL });
      assert.equal(answer.status, 403);
      assert.match(answer.body, /origin not allowed/);
      assert.doesNotMatch(answer.body, /"sid"/);
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
    });

    it('refuses the WebSocket upgrade', async () => {
      const answer = await rawRequest(server.port, WEBSOCKET, { Origin: EVIL }, true);
      assert.equal(answer.upgraded, false);
      assert.ok(answer.status >= 400, `status ${answer.status}`);
      assert.match(answer.body, /origin not allowed/);
    });

    for (const [what, origin] of [
      ['the same host on another port', 'http://127.0.0.1:1'],
      ['a look-alike host', 'http://127.0.0.1.evil.example'],
      ['an opaque origin ("null")', 'null'],
      ['a malformed origin', 'not a url'],
      ['an allowed origin with another scheme', 'http://chat.example.com'],
    ]) {
      it(`refuses ${what}`, async () => {
        const answer = await rawRequest(server.port, POLLING, { Origin: origin! });
        assert.equal(answer.status, 403);
        assert.equal((await rawRequest(server.port, WEBSOCKET, { Origin: origin! }, true)).upgraded, false);
      });
    }

    it('keeps serving the allowed clients after refusing others', async () => {
      await expectConnectError(server.url, { extraHeaders: { origin: EVIL } });
      const socket = await connectClient(server.url);
      okValue(await request(socket, 'session:start', { nickname: 'after-refusal' }));
    });
  });

  describe('accepts', () => {
    for (const transport of ['polling', 'websocket'] as const) {
      it(`an origin from ALLOWED_ORIGINS over ${transport}`, async () => {
        const socket = await connectClient(server.url, { transports: [transport], extraHeaders: { origin: FRIEND } });
        okValue(await request(socket, 'session:start', { nickname: `friend-${transport}` }));
      });

      it(`the server's own origin over ${transport}`, async () => {
        const socket = await connectClient(server.url, { transports: [transport], extraHeaders: { origin: server.url } });
        okValue(await request(socket, 'session:start', { nickname: `self-${transport}` }));
      });
    }

    it('a client that sends no Origin (not a browser)', async () => {
      const socket = await connectClient(server.url, { transports: ['polling'] });
      okValue(await request(socket, 'session:start', { nickname: 'no-origin' }));
    });

    it('the upgrade from polling to WebSocket of an allowed origin', async () => {
      const socket = await connectClient(server.url, { transports: ['polling', 'websocket'], extraHeaders: { origin: FRIEND } });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no upgrade')), 2000);
        const check = () => {
          if (socket.io.engine.transport.name === 'websocket') {
            clearTimeout(timer);
            resolve();
          }
        };
        socket.io.engine.on('upgrade', check);
        check();
      });
      okValue(await request(socket, 'session:start', { nickname: 'upgraded' }));
    });

    it('answers an allowed origin with CORS headers for it', async () => {
      const answer = await rawRequest(server.port, POLLING, { Origin: FRIEND });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['access-control-allow-origin'], FRIEND);
      assert.match(answer.body, /"sid"/);
      const upgrade = await rawRequest(server.port, WEBSOCKET, { Origin: FRIEND }, true);
      assert.equal(upgrade.upgraded, true);
      assert.equal(upgrade.status, 101);
    });
  });
});

describe('Origin check with the default (same origin only)', () => {
  let server: RunningChatServer;

  before(async () => {
    server = await startChatServer();
  });
  afterEach(() => closeClients());
  after(() => server.close());

  it('refuses every foreign origin on both transports', async () => {
    await expectConnectError(server.url, { transports: ['polling'], extraHeaders: { origin: FRIEND } });
    await expectConnectError(server.url, { transports: ['websocket'], extraHeaders: { origin: FRIEND } });
  });

  it('accepts the same origin, by Host header', async () => {
    const viaLocalhost = `http://localhost:${server.port}`;
    const answer = await rawRequest(server.port, POLLING, { Origin: viaLocalhost, Host: `localhost:${server.port}` });
    assert.equal(answer.status, 200);
    const mismatch = await rawRequest(server.port, POLLING, { Origin: viaLocalhost, Host: `127.0.0.1:${server.port}` });
    assert.equal(mismatch.status, 403);
  });
});
