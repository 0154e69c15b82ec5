import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type DeploymentFailure, FakeDeployments } from './fake-deployments.js';

/**
 * A local HTTPS server that plays Azure Resource Manager for the resource types publish touches,
 * closely enough for the Azure SDK: GET answers 404 until a PUT stored the resource; network, App
 * Service plan and site PUTs complete at once (200/201, provisioningState Succeeded); a cloud
 * service PUT is a long-running operation (201 + Azure-AsyncOperation, polled: InProgress, then
 * Succeeded), as Azure does it. A site's `config/web` and `config/appsettings` are stored as sent
 * (no provisioningState: they are not tracked resources), and `POST config/appsettings/list` reads
 * the settings back, as Azure's does. Every request is recorded for the test to assert; `failNext`
 * injects an error response. Subscription-scope template deployments (the App Service path) are
 * fake-deployments.ts's; `failNextDeployment` makes the next one fail as Azure reports it.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  authorization: string | undefined;
  body: unknown;
}

interface Failure {
  method: string;
  pathIncludes: string;
  status: number;
  code: string;
  message: string;
}

const FIXTURES = new URL('../fixtures/', import.meta.url);
export const FAKE_ARM_CA = readFileSync(new URL('fake-arm.cert.pem', FIXTURES), 'utf8');

export class FakeResourceManager {
  readonly requests: RecordedRequest[] = [];
  private readonly resources = new Map<string, Record<string, unknown>>();
  private readonly operations = new Map<string, number>();
  private readonly failures: Failure[] = [];
  private server: Server | undefined;
  url = '';
  // Deployment routes (App Service path): their own block, in fake-deployments.ts.
  private readonly deployments = new FakeDeployments(
    () => this.url,
    (path, resource) => this.resources.set(path.toLowerCase(), resource),
  );

  async start(): Promise<void> {
    this.server = createServer(
      { cert: FAKE_ARM_CA, key: readFileSync(new URL('fake-arm.key.pem', FIXTURES), 'utf8') },
      (request, response) => void this.handle(request, response),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The next request with this method whose path contains `pathIncludes` gets this error. */
  failNext(failure: Failure): void {
    this.failures.push(failure);
  }

  /** The next template deployment fails: at once (validation), or in the operations of these resources. */
  failNextDeployment(failure: DeploymentFailure): void {
    this.deployments.failNextDeployment(failure);
  }

  /** What a PUT stored at this path (case-insensitive, like ARM), as a later GET would return it. */
  stored(path: string): Record<string, any> | undefined {
    return this.resources.get(path.toLowerCase());
  }

  /** Requests since the last call, as `METHOD path` lines (operation polls collapsed to one). */
  takeRequests(): RecordedRequest[] {
    return this.requests.splice(0, this.requests.length);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const method = request.method ?? 'GET';
    this.requests.push({
      method,
      path,
      apiVersion: url.searchParams.get('api-version'),
      authorization: request.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    });
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-id': `fake-${this.requests.length}`, ...headers });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };

    const failure = this.failures.findIndex((candidate) => candidate.method === method && path.includes(candidate.pathIncludes));
    if (failure !== -1) {
      const [{ status, code, message }] = this.failures.splice(failure, 1) as [Failure];
      send(status, { error: { code, message } });
      return;
    }

    // Deployment routes (App Service path).
    if (this.deployments.handle(method, path, text ? JSON.parse(text) : undefined, url.searchParams, send)) return;

    if (path.startsWith('/operations/')) {
      const polls = (this.operations.get(path) ?? 0) + 1;
      this.operations.set(path, polls);
      // Two InProgress answers: the SDK polls once inside beginCreateOrUpdate, so a progress
      // callback registered after it sees at least one more.
      send(200, { status: polls < 3 ? 'InProgress' : 'Succeeded' });
      return;
    }

    const key = path.toLowerCase();
    if (method === 'POST' && key.endsWith('/config/appsettings/list')) {
      const site = path.slice(0, path.length - '/config/appsettings/list'.length);
      send(200, this.resources.get(`${site}/config/appsettings`.toLowerCase()) ?? { id: `${site}/config/appsettings`, name: 'appsettings', properties: {} });
      return;
    }
    if (method === 'PUT' && /\/providers\/Microsoft\.Web\/sites\/[^/]+\/config\/[^/]+$/i.test(path)) {
      const body = JSON.parse(text) as Record<string, unknown>;
      const stored = { ...body, id: path, name: path.slice(path.lastIndexOf('/') + 1), type: 'Microsoft.Web/sites/config' };
      this.resources.set(key, stored);
      send(200, stored);
      return;
    }
    if (method === 'GET') {
      const resource = this.resources.get(key);
      if (resource) send(200, resource);
      else send(404, { error: { code: 'ResourceNotFound', message: `The Resource '${path}' was not found.` } });
      return;
    }
    if (method === 'PUT') {
      const body = JSON.parse(text) as Record<string, any>;
      const existed = this.resources.has(key);
      const name = path.slice(path.lastIndexOf('/') + 1);
      const type = path.match(/providers\/([^/]+\/[^/]+)\//)?.[1] ?? '';
      const stored: Record<string, any> = { ...body, id: path, name, type, properties: { ...body.properties, provisioningState: 'Succeeded' } };
      // Write-only properties are not returned, as in Azure.
      delete stored.properties.packageUrl;
      delete stored.properties.configurationUrl;
      if (type === 'Microsoft.Web/sites') {
        stored.properties.defaultHostName = `${name}.azurewebsites.net`;
        // Azure does not return siteConfig from a site PUT or GET (it may hold secrets).
        delete stored.properties.siteConfig;
      }
      if (type === 'Microsoft.Network/publicIPAddresses') {
        stored.properties.dnsSettings = { ...body.properties.dnsSettings, fqdn: `${body.properties.dnsSettings.domainNameLabel}.${body.location}.cloudapp.azure.com` };
      }
      this.resources.set(key, stored);
      if (type === 'Microsoft.Compute/cloudServices') {
        const operation = `/operations/${this.operations.size + 1}`;
        this.operations.set(operation, 0);
        send(existed ? 200 : 201, { ...stored, properties: { ...stored.properties, provisioningState: existed ? 'Updating' : 'Creating' } }, {
          'azure-asyncoperation': `${this.url}${operation}`,
          'retry-after': '0',
        });
        return;
      }
      send(existed ? 200 : 201, stored);
      return;
    }
    send(405, { error: { code: 'MethodNotAllowed', message: method } });
  }
}
