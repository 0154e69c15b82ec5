import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { makeTestCertificate } from '../../helpers/test-certificate.js';

/** One request a receiver got, its body decompressed. */
export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string;
  authorization: string | undefined;
  body: Buffer;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}

async function listen(server: Server, scheme: string, requests: ReceivedRequest[], cleanup = () => {}): Promise<Receiver> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cleanup();
    },
  };
}

function recording(requests: ReceivedRequest[], answer: (request: ReceivedRequest, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        authorization: request.headers.authorization,
        body: decompress(Buffer.concat(chunks), request.headers['content-encoding']),
      };
      requests.push(received);
      answer(received, response);
    });
  };
}

export interface IngestionServer extends Receiver {
  /** The certificate the server process must trust (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** Telemetry envelopes posted to /v2.1/track (newline-delimited or array JSON). */
  envelopes(): Envelope[];
}

export interface Envelope {
  name: string;
  iKey?: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: Record<string, unknown> & { name?: string; metrics?: Array<{ name: string; value: number }> } };
}

/**
 * Plays the Application Insights ingestion and live metrics endpoints over HTTPS (the exporter
 * speaks nothing else), with a self-signed certificate for 127.0.0.1 made by openssl.
 */
export async function startIngestionServer(): Promise<IngestionServer> {
  const { certFile, keyFile, dispose } = makeTestCertificate();
  const requests: ReceivedRequest[] = [];
  const server = createHttpsServer(
    { key: readFileSync(keyFile), cert: readFileSync(certFile) },
    recording(requests, (request, response) => {
      if (request.path.startsWith('/v2.1/track') || request.path.startsWith('/v2/track')) {
        const count = parseEnvelopes(request.body).length;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ itemsReceived: count, itemsAccepted: count, errors: [] }));
        return;
      }
      // Live metrics: answer its pings and posts without subscribing, so it stays idle.
      response.writeHead(200, { 'content-type': 'application/json', 'x-ms-qps-subscribed': 'false' });
      response.end('{}');
    }) as never,
  );
  const receiver = await listen(server as unknown as Server, 'https', requests, dispose);
  return {
    ...receiver,
    caFile: certFile,
    envelopes: () => requests.filter((request) => request.path.includes('/track')).flatMap((request) => parseEnvelopes(request.body)),
  };
}

function parseEnvelopes(body: Buffer): Envelope[] {
  const text = body.toString('utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as Envelope[];
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Envelope);
}

/** A collector's OTLP/HTTP receiver: /v1/traces, /v1/metrics, /v1/logs, JSON or protobuf. */
export async function startOtlpReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createHttpServer(
    recording(requests, (request, response) => {
      const json = request.contentType.includes('json');
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      // An empty Export*ServiceResponse: {} in JSON, zero bytes in protobuf.
      response.end(json ? '{}' : '');
    }),
  );
  return listen(server, 'http', requests);
}
