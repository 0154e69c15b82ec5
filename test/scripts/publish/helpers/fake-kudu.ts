import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nonEphemeralPort } from '../../../helpers/non-ephemeral-port.js';
import { scratchDir } from '../../../helpers/scratch-dir.js';
import { FAKE_ARM_CA } from './fake-resource-manager.js';

/**
 * A local HTTPS server that plays an App Service site's deployment endpoint (Kudu's
 * `POST /api/zipdeploy?isAsync=true`) and checks what it receives the way the site would use it:
 * the archive is unpacked with Info-ZIP's `unzip` (not the library that wrote it), then its
 * `dist/server/main.js` is started with this machine's Node on Linux, with the site's app settings
 * as the environment and PORT set, as App Service's Node image does, and `/healthz` must answer
 * 200. It answers 202 with a Location at once and reports the outcome when polled, as Kudu does:
 * status 4 (Success) or 3 (Failed, with the reason in status_text).
 */
export interface KuduDeployment {
  id: string;
  authorization: string | undefined;
  contentType: string | undefined;
  bytes: number;
  /** Paths in the archive, '/'-separated. */
  files: string[];
  healthz?: { status: number; body: Record<string, unknown> };
  failure?: string;
  done: Promise<void>;
}

export class FakeKudu {
  readonly deployments: KuduDeployment[] = [];
  url = '';
  private server: Server | undefined;
  private readonly finished = new Map<string, { status: number; text: string }>();
  /**
   * Archives already unpacked, by their SHA-256: the same bytes deployed again start from the
   * folder unpacked the first time. Unpacking 48,000 identical files again checks nothing new and
   * cost the test suite seconds of CPU each time; every deployment still starts and probes the app.
   */
  private readonly unpacked = new Map<string, Promise<Unpacked>>();

  /** `appSettings()` is the site's environment at the moment the deployment starts the app. */
  constructor(private readonly appSettings: () => Record<string, string>) {}

  async start(): Promise<void> {
    const key = readFileSync(new URL('../fixtures/fake-arm.key.pem', import.meta.url), 'utf8');
    this.server = createServer({ cert: FAKE_ARM_CA, key }, (request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.all(this.deployments.map((deployment) => deployment.done));
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    for (const result of await Promise.allSettled(this.unpacked.values())) {
      if (result.status === 'fulfilled') rmSync(result.value.folder, { recursive: true, force: true });
    }
    this.unpacked.clear();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== 'Bearer fake-token') {
      json(401, { Message: 'Authorization has been denied for this request.' });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/zipdeploy' && url.searchParams.get('isAsync') === 'true') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const id = `deployment-${this.deployments.length + 1}`;
      const deployment: KuduDeployment = {
        id,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        bytes: Buffer.concat(chunks).length,
        files: [],
        done: Promise.resolve(),
      };
      deployment.done = this.check(deployment, Buffer.concat(chunks));
      this.deployments.push(deployment);
      json(202, { id }, { location: `${this.url}/api/deployments/${id}` });
      return;
    }
    const polled = url.pathname.match(/^\/api\/deployments\/(.+)$/)?.[1];
    if (request.method === 'GET' && polled) {
      const result = this.finished.get(polled);
      if (result) json(200, { id: polled, status: result.status, status_text: result.text, complete: true });
      else json(202, { id: polled, status: 2, status_text: '', progress: 'unpacking and starting', complete: false });
      return;
    }
    json(404, { Message: `no route ${request.method} ${url.pathname}` });
  }

  private async check(deployment: KuduDeployment, archive: Buffer): Promise<void> {
    try {
      const { folder, files } = await this.unpack(archive);
      deployment.files = files;
      if (!existsSync(join(folder, 'dist', 'server', 'main.js'))) throw new Error('the package has no dist/server/main.js, which the start command runs');
      deployment.healthz = await startAndProbe(folder, this.appSettings());
      if (deployment.healthz.status !== 200) throw new Error(`/healthz answered ${deployment.healthz.status}`);
      this.finished.set(deployment.id, { status: 4, text: '' });
    } catch (error) {
      deployment.failure = (error as Error).message;
      this.finished.set(deployment.id, { status: 3, text: deployment.failure });
    }
  }

  private unpack(archive: Buffer): Promise<Unpacked> {
    const hash = createHash('sha256').update(archive).digest('hex');
    const known = this.unpacked.get(hash);
    if (known) return known;
    const unpacking = unpackArchive(archive);
    this.unpacked.set(hash, unpacking);
    unpacking.catch(() => this.unpacked.delete(hash));
    return unpacking;
  }
}

interface Unpacked {
  folder: string;
  /** Paths in the archive, '/'-separated. */
  files: string[];
}

async function unpackArchive(archive: Buffer): Promise<Unpacked> {
  const upload = scratchDir('chatapp-kudu-upload-');
  const folder = scratchDir('chatapp-kudu-wwwroot-');
  try {
    const zip = join(upload, 'package.zip');
    writeFileSync(zip, archive);
    const listed = await unzip(['-Z1', zip]);
    if (listed.status !== 0) throw new Error(`not a zip archive: ${listed.stderr.trim() || listed.stdout.trim()}`);
    const files = listed.stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/'));
    const unpacked = await unzip(['-q', zip, '-d', folder]);
    if (unpacked.status !== 0) throw new Error(`unzip failed: ${unpacked.stderr.trim()}`);
    return { folder, files };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(upload, { recursive: true, force: true });
  }
}

/**
 * Info-ZIP, without blocking: publish runs in this same process, and unpacking the real package
 * takes seconds, long enough for the client's poll and this server's keep-alive timeout to fall due
 * together and the poll to go out on a connection being closed (ECONNRESET).
 */
function unzip(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('unzip', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
    });
  });
}

/** `node dist/server/main.js` in the unpacked folder, its environment only the app settings and PORT. */
async function startAndProbe(folder: string, settings: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const port = await nonEphemeralPort();
  const server: ChildProcess = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: folder,
    env: { PATH: process.env.PATH, ...settings, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`no "chat listening" within 20 s:\n${output}`)), 20_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (/chat listening/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the deployed server exited (${code}):\n${output.slice(-2000)}`));
      });
    });
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
  }
}
