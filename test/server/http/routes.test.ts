import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningChatServer, startChatServer } from '../../helpers/chat-server.js';
import { closeClients, connectClient, nextDisconnect } from '../../helpers/clients.js';

/** The Content-Security-Policy header as directive -> sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  assert.ok(header, 'a Content-Security-Policy header is sent');
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function assertNoInlineScript(header: string | null): void {
  const csp = parseCsp(header);
  const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
  assert.ok(scriptSrc, 'script-src (or default-src) is set');
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:']) {
    assert.ok(!scriptSrc.includes(unsafe), `script-src allows ${unsafe}: ${scriptSrc.join(' ')}`);
  }
  const attr = csp.get('script-src-attr');
  if (attr) assert.ok(!attr.includes("'unsafe-inline'"), 'inline event handlers are allowed');
  assert.deepEqual(csp.get('object-src') ?? csp.get('default-src'), ["'none'"], 'plugins are blocked');
}

const publicDir = fileURLToPath(new URL('../../../WorkerRole1/dist/public/', import.meta.url));

describe('HTTP routes', () => {
  let server: RunningChatServer;

  before(async () => {
    server = await startChatServer();
  });
  afterEach(() => closeClients());
  after(() => server.close());

  describe('GET /healthz', () => {
    it('answers 200 with {status, instance, uptimeS, connections} as JSON, never cached', async () => {
      const response = await fetch(`${server.url}/healthz`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(response.headers.get('cache-control') ?? '', /no-store/);
      const body = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['connections', 'instance', 'status', 'uptimeS']);
      assert.equal(body.status, 'ok');
      assert.equal(body.instance, 'test');
      assert.ok(Number.isInteger(body.uptimeS) && (body.uptimeS as number) >= 0);
      assert.equal(body.connections, 0);
    });

    it('counts the open connections', async () => {
      const a = await connectClient(server.url);
      await connectClient(server.url, { transports: ['polling'] });
      const during = (await (await fetch(`${server.url}/healthz`)).json()) as { connections: number };
      assert.equal(during.connections, 2);
      const gone = nextDisconnect(a);
      a.close();
      await gone;
      // The server notices the close a moment later.
      let after = during.connections;
      for (let i = 0; i < 50 && after !== 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        after = ((await (await fetch(`${server.url}/healthz`)).json()) as { connections: number }).connections;
      }
      assert.equal(after, 1);
    });

    it('sends the security headers with a CSP that allows no inline script', async () => {
      const response = await fetch(`${server.url}/healthz`);
      assertNoInlineScript(response.headers.get('content-security-policy'));
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-powered-by'), null);
    });
  });

  it('sends the same CSP on any other path, a 404 included', async () => {
    const response = await fetch(`${server.url}/no/such/page`);
    assert.equal(response.status, 404);
    assertNoInlineScript(response.headers.get('content-security-policy'));
  });

  it(
    'serves the browser client at / with the CSP, and the page has no inline script',
    { skip: existsSync(publicDir) ? false : 'WorkerRole1/dist/public is not built (npm run build)' },
    async () => {
      const response = await fetch(`${server.url}/`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assertNoInlineScript(response.headers.get('content-security-policy'));
      const html = await response.text();
      for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\bsrc=/, `inline script: ${tag}`);
      assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handler attributes');
    },
  );
});
