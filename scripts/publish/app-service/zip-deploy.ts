import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { PublishError } from '../errors.js';

/**
 * Kudu's zip deployment (projectkudu/kudu wiki, "Deploying from a zip file"): POST the zip to
 * https://<site>.scm.azurewebsites.net/api/zipdeploy. Kudu unpacks it into /home/site/wwwroot,
 * deletes what an earlier zip deployment left that this one no longer has, and by default runs no
 * build (the zip is ready to run). With `?isAsync=true` it answers 202 at once with a Location to
 * poll, so a slow unpack cannot time the upload out. Kudu takes the same Microsoft Entra token as
 * Resource Manager, so no publishing password (basic auth) is needed or enabled.
 */
export interface ZipDeployInput {
  url: string;
  zipFile: string;
  token: string;
  /** Extra CA for a local stand-in's certificate (tests). */
  ca?: string;
  pollIntervalMs: number;
  /** Give up polling after this long; Kudu reports failures itself long before. */
  timeoutMs?: number;
  onProgress?: (line: string) => void;
}

export interface ZipDeployResult {
  id: string | undefined;
  seconds: number;
}

/** Kudu's DeployStatus values. */
const FAILED = 3;
const SUCCESS = 4;

export async function zipDeploy(input: ZipDeployInput): Promise<ZipDeployResult> {
  const started = Date.now();
  const size = statSync(input.zipFile).size;
  input.onProgress?.(`uploading ${(size / 1024 / 1024).toFixed(1)} MiB to ${new URL(input.url).host}`);
  const posted = await send(input, 'POST', input.url, input.zipFile);
  if (posted.status !== 202 && posted.status !== 200) throw kuduError(posted, input.url);
  const location = posted.headers.location;
  if (posted.status === 200 || !location) return { id: undefined, seconds: elapsed(started) };

  const deadline = started + (input.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const polled = await pollOnce(input, new URL(location, input.url).toString());
    if (polled.status !== 200 && polled.status !== 202) throw kuduError(polled, location);
    const status = JSON.parse(polled.text || '{}') as { id?: string; status?: number; complete?: boolean; status_text?: string; progress?: string; log_url?: string };
    if (status.status === SUCCESS && status.complete !== false) return { id: status.id, seconds: elapsed(started) };
    if (status.status === FAILED) {
      throw new PublishError(
        `the zip deployment failed on the site: ${status.status_text || 'no reason given'}`,
        `read the deployment log${status.log_url ? ` (${status.log_url})` : ''} or the site's log stream (az webapp log tail), fix what it says and publish again`,
      );
    }
    input.onProgress?.(`Kudu is deploying: ${status.progress || status.status_text || 'in progress'} (${elapsed(started)} s)`);
    if (Date.now() > deadline) {
      throw new PublishError('the zip deployment did not finish within 30 minutes', `check its state at ${location} (or in the portal's Deployment Center) before publishing again`);
    }
    await delay(input.pollIntervalMs);
  }
}

/** A dropped connection on a status poll is tried again this many times in a row before it counts. */
const POLL_ATTEMPTS = 3;
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/**
 * One status poll. A poll is a GET that changes nothing, and over a long deployment the connection
 * it reuses can be closed by the other side just as it goes out (a keep-alive timeout, a proxy):
 * such a reset is asked again rather than reported as a failed publish.
 */
async function pollOnce(input: ZipDeployInput, url: string): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send(input, 'GET', url);
    } catch (error) {
      if (attempt >= POLL_ATTEMPTS || !TRANSIENT.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await delay(input.pollIntervalMs);
    }
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

function send(input: ZipDeployInput, method: 'GET' | 'POST', url: string, file?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${input.token}`, accept: 'application/json' };
    if (file) Object.assign(headers, { 'content-type': 'application/zip', 'content-length': statSync(file).size });
    const outgoing = request(url, { method, headers, ...(input.ca ? { ca: input.ca } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value])),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    if (file) createReadStream(file).on('error', reject).pipe(outgoing);
    else outgoing.end();
  });
}

function kuduError(answer: Answer, url: string): PublishError {
  const said = answer.text.split('\n')[0]?.slice(0, 300) ?? '';
  const host = new URL(url).host;
  if (answer.status === 401 || answer.status === 403) {
    return new PublishError(
      `the deployment endpoint ${host} refused the token (HTTP ${answer.status})${said ? `: ${said}` : ''}`,
      'ask for the "Website Contributor" (or "Contributor") role on the web app for the signed-in identity; role assignments can take a few minutes to apply',
    );
  }
  if (answer.status === 409) {
    return new PublishError(`another deployment is running on the site (HTTP 409)${said ? `: ${said}` : ''}`, 'wait for it to finish (portal: Deployment Center, Logs), then publish again');
  }
  return new PublishError(`the deployment endpoint ${host} answered HTTP ${answer.status}${said ? `: ${said}` : ''}`, 'see the message; the site\'s log stream (az webapp log tail) has the details');
}

function elapsed(started: number): number {
  return Math.round((Date.now() - started) / 1000);
}

/**
 * Kudu lives beside the site: <app>.azurewebsites.net -> <app>.scm.azurewebsites.net, and for a
 * site with a unique default host name <app>-<hash>.<region>-01.azurewebsites.net ->
 * <app>-<hash>.scm.<region>-01.azurewebsites.net. Taken from the deployment's WEB_APP_URL output.
 */
export function zipDeployUrl(siteUrl: string): string {
  const host = new URL(siteUrl).host;
  const dot = host.indexOf('.');
  return `https://${host.slice(0, dot)}.scm${host.slice(dot)}/api/zipdeploy?isAsync=true`;
}
