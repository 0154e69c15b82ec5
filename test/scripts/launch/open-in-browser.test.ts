import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { browserOpener, openInBrowser } from '../../../scripts/launch/open-in-browser.js';
import { openWhenHealthy } from '../../../scripts/launch/open-when-healthy.js';
import { StandInOpener } from './stand-in-opener.js';

const openers: StandInOpener[] = [];
function standIn(name?: string): StandInOpener {
  const opener = new StandInOpener(name);
  openers.push(opener);
  return opener;
}
after(() => {
  for (const opener of openers) opener.remove();
});

describe('openInBrowser', () => {
  it('runs xdg-open from PATH with the URL under a graphical session', async () => {
    const opener = standIn();
    const said: string[] = [];
    openInBrowser('https://chatapp-demo.azurewebsites.net/', (line) => said.push(line), 'linux', opener.env({ DISPLAY: undefined, WAYLAND_DISPLAY: 'wayland-0' }));
    assert.deepEqual(await opener.openedUrls(), ['https://chatapp-demo.azurewebsites.net/']);
    assert.deepEqual(said, ['opening https://chatapp-demo.azurewebsites.net/ in the default browser (xdg-open)']);
  });

  it('says why not, and gives the URL, when xdg-open is not on PATH', () => {
    const said: string[] = [];
    openInBrowser('http://localhost:8080/', (line) => said.push(line), 'linux', { PATH: standIn('not-the-opener').bin, DISPLAY: ':0' });
    assert.deepEqual(said, ['cannot open a browser here: xdg-open is not on PATH (install xdg-utils); open http://localhost:8080/']);
  });

  it("uses macOS's open and Windows' start with an empty window title", () => {
    assert.deepEqual(browserOpener('http://localhost:8080/', 'darwin', { PATH: standIn('open').bin }), { command: 'open', args: ['http://localhost:8080/'] });
    assert.deepEqual(browserOpener('http://localhost:8080/?a=1&b=2', 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }), {
      command: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', 'start "" "http://localhost:8080/?a=1&b=2"'],
      windowsVerbatimArguments: true,
    });
  });
});

describe('openWhenHealthy (npm run publish ... --launch)', () => {
  it('opens the site only once it answers /healthz with 200', async () => {
    const opener = standIn();
    const answers = [503, 503, 200];
    const seen: number[] = [];
    const site = http.createServer((request, response) => {
      const status = request.url === '/healthz' ? (answers.shift() ?? 200) : 404;
      seen.push(status);
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
      const said: string[] = [];
      await openWhenHealthy(url, (line) => said.push(line), { intervalMs: 10, env: opener.env({ DISPLAY: ':99' }) });
      assert.deepEqual(seen, [503, 503, 200]);
      assert.deepEqual(await opener.openedUrls(), [url]);
      assert.equal(said.at(-1), `opening ${url} in the default browser (xdg-open)`);
    } finally {
      site.close();
    }
  });

  it('gives the URL instead when the site does not answer in time, and does not fail', async () => {
    const opener = standIn();
    const said: string[] = [];
    await openWhenHealthy('http://127.0.0.1:9/', (line) => said.push(line), { timeoutMs: 30, intervalMs: 10, env: opener.env({ DISPLAY: ':99' }) });
    assert.match(said.at(-1) ?? '', /^cannot open a browser yet: http:\/\/127\.0\.0\.1:9\/healthz has not answered 200 within 0\.03 s; open http:\/\/127\.0\.0\.1:9\/ once it does$/);
    assert.equal(opener.wasRun, false);
  });
});
