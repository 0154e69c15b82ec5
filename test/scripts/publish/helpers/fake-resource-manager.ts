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
 * injects an error response. Resource groups, storage accounts and role assignments: see
 * `storageRoute` at the end. Subscription-scope template deployments (the App Service path) are
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

/** The account keys listKeys answers with; a test asserts they never reach any output. */
export const FAKE_STORAGE_KEYS = ['ZmFrZS1zdG9yYWdlLWtleS0xLW5vdC10by1iZS1wcmludGVk', 'ZmFrZS1zdG9yYWdlLWtleS0yLW5vdC10by1iZS1wcmludGVk'] as const;

export class FakeResourceManager {
  readonly requests: RecordedRequest[] = [];
  /** Storage account names some other subscription holds: checkNameAvailability says AlreadyExists. */
  readonly takenStorageNames = new Set<string>();
  private readonly resources = new Map<string, Record<string, unknown>>();
  private readonly operations = new Map<string, number>();
  /** Storage account creations in flight: operation id -> the account's key in `resources`. */
  private readonly storageOperations = new Map<string, string>();
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

  /** A resource that exists before the test (an account made by hand, a resource group). */
  seed(path: string, resource: Record<string, unknown>): void {
    this.resources.set(path.toLowerCase(), { id: path, name: path.slice(path.lastIndexOf('/') + 1), ...resource });
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

    if (this.storageRoute(method, path, text, send)) return;
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

  /**
   * Resource groups (HEAD/GET/PUT), storage accounts (checkNameAvailability at subscription scope;
   * PUT as Azure answers it, 202 + Location, polled: 202 once, then 200 with the account; listKeys)
   * and role assignments (PUT/GET; the same principal, role and scope under another name is 409
   * RoleAssignmentExists, as in Azure). A storage account PUT into a missing group is refused with
   * ResourceGroupNotFound, so a test sees the group created first. True when it answered.
   */
  private storageRoute(method: string, path: string, text: string, send: (status: number, body?: unknown, headers?: Record<string, string>) => void): boolean {
    const key = path.toLowerCase();
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    const group = key.match(/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/)?.[0];
    const notFound = (code: string) => send(404, { error: { code, message: `The Resource '${path}' was not found.` } });

    if (group === key) {
      if (method === 'HEAD') send(this.resources.has(key) ? 204 : 404);
      else if (method === 'GET') this.resources.has(key) ? send(200, this.resources.get(key)) : notFound('ResourceGroupNotFound');
      else if (method === 'PUT') {
        const existed = this.resources.has(key);
        const stored = { id: path, name: path.slice(path.lastIndexOf('/') + 1), type: 'Microsoft.Resources/resourceGroups', ...body, properties: { provisioningState: 'Succeeded' } };
        this.resources.set(key, stored);
        send(existed ? 200 : 201, stored);
      } else return false;
      return true;
    }
    if (method === 'POST' && /^\/subscriptions\/[^/]+\/providers\/microsoft\.storage\/checknameavailability$/.test(key)) {
      const name = String(body.name);
      const ours = [...this.resources.values()].some((resource) => resource.type === 'Microsoft.Storage/storageAccounts' && resource.name === name);
      send(200, this.takenStorageNames.has(name) || ours
        ? { nameAvailable: false, reason: 'AlreadyExists', message: `The storage account named ${name} is already taken.` }
        : { nameAvailable: true });
      return true;
    }
    if (key.startsWith('/storage-operations/')) {
      const [, , id, polls] = key.split('/');
      if (polls === undefined) {
        send(202, undefined, { location: `${this.url}/storage-operations/${id}/1`, 'retry-after': '0' });
      } else {
        send(200, this.resources.get(this.storageOperations.get(id!) ?? ''));
      }
      return true;
    }
    const account = key.match(/\/providers\/microsoft\.storage\/storageaccounts\/[^/]+$/);
    if (account && method === 'PUT') {
      if (!group || !this.resources.has(group)) {
        notFound('ResourceGroupNotFound');
        return true;
      }
      const name = path.slice(path.lastIndexOf('/') + 1);
      const stored = {
        ...body,
        id: path,
        name,
        type: 'Microsoft.Storage/storageAccounts',
        properties: {
          ...body.properties,
          provisioningState: 'Succeeded',
          primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/`, table: `https://${name}.table.core.windows.net/` },
        },
      };
      this.resources.set(key, stored);
      const id = String(this.storageOperations.size + 1);
      this.storageOperations.set(id, key);
      send(202, undefined, { location: `${this.url}/storage-operations/${id}`, 'retry-after': '0' });
      return true;
    }
    if (method === 'POST' && key.endsWith('/listkeys') && /\/storageaccounts\/[^/]+\/listkeys$/.test(key)) {
      if (!this.resources.has(key.slice(0, -'/listkeys'.length))) notFound('ResourceNotFound');
      else send(200, { keys: FAKE_STORAGE_KEYS.map((value, index) => ({ keyName: `key${index + 1}`, value, permissions: 'FULL' })) });
      return true;
    }
    const assignment = key.match(/^(\/subscriptions\/.*)\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/);
    if (assignment && method === 'GET') {
      this.resources.has(key) ? send(200, this.resources.get(key)) : notFound('RoleAssignmentNotFound');
      return true;
    }
    if (assignment && method === 'PUT') {
      const scope = assignment[1]!;
      const { principalId, roleDefinitionId } = body.properties ?? {};
      const twin = [...this.resources.entries()].find(
        ([other, resource]: [string, Record<string, any>]) => other !== key && resource.type === 'Microsoft.Authorization/roleAssignments' &&
          resource.properties.scope.toLowerCase() === scope && resource.properties.principalId === principalId && resource.properties.roleDefinitionId === roleDefinitionId,
      );
      if (twin) {
        send(409, { error: { code: 'RoleAssignmentExists', message: 'The role assignment already exists.' } });
        return true;
      }
      const existed = this.resources.has(key);
      const stored = { id: path, name: path.slice(path.lastIndexOf('/') + 1), type: 'Microsoft.Authorization/roleAssignments', properties: { ...body.properties, scope: path.slice(0, scope.length) } };
      this.resources.set(key, stored);
      send(existed ? 200 : 201, stored);
      return true;
    }
    return false;
  }
}
