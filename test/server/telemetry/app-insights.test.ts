import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { type Envelope, type IngestionServer, startIngestionServer } from './receivers.js';
import { connectionStringKeys, leaks } from './secrets.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { type ChatTranscript, newMarker, shortChat } from './short-chat.js';

/**
 * The real server process with APPLICATIONINSIGHTS_CONNECTION_STRING pointing at a local
 * ingestion endpoint (HTTPS, self-signed certificate trusted through NODE_EXTRA_CA_CERTS), with
 * Redis and Table Storage (Azurite) behind it, after a short chat and a graceful stop.
 */
describe('export to Application Insights', () => {
  const marker = newMarker();
  const redisPassword = `${marker}redispw`;
  let ingestion: IngestionServer;
  let redis: RunningRedisServer;
  let azurite: RunningAzurite;
  let server: ServerProcess;
  let connectionString: string;
  let transcript: ChatTranscript;
  let envelopes: Envelope[];

  before(async () => {
    [ingestion, redis, azurite] = await Promise.all([startIngestionServer(), startRedisServer({ password: redisPassword }), startAzurite()]);
    connectionString = `InstrumentationKey=${randomUUID()};IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`;
    server = await startServerProcess({
      APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
      NODE_EXTRA_CA_CERTS: ingestion.caFile,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      // The distribution samples 5 traces a second by default; a test wants every one.
      OTEL_TRACES_SAMPLER: 'always_on',
      REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${redis.port}`,
      STORAGE_CONNECTION_STRING: azurite.connectionString,
    });
    transcript = await shortChat(server.url, marker);
    // Gauges are read at export time: one export while the chat's sockets are still counted is
    // not needed, but one after the last message is.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await server.stop(), 0);
    envelopes = ingestion.envelopes();
  });

  after(async () => {
    await Promise.all([ingestion?.close(), redis?.stop(), azurite?.dispose()]);
  });

  const requests = () => envelopes.filter((envelope) => envelope.data?.baseType === 'RequestData');
  const dependencies = () => envelopes.filter((envelope) => envelope.data?.baseType === 'RemoteDependencyData');
  const metricNames = () =>
    new Set(envelopes.flatMap((envelope) => (envelope.data?.baseType === 'MetricData' ? envelope.data.baseData!.metrics!.map((metric) => metric.name) : [])));

  it('shows every envelope under role WorkerRole1 and this instance', () => {
    assert.ok(envelopes.length > 0, 'nothing reached the ingestion endpoint');
    for (const envelope of envelopes) {
      assert.equal(envelope.tags?.['ai.cloud.role'], 'WorkerRole1', envelope.name);
      assert.equal(envelope.tags?.['ai.cloud.roleInstance'], server.instanceId, envelope.name);
    }
  });

  it('records one request per handled Socket.IO event, named after the event, with its outcome code', () => {
    const byName = new Map<string, Envelope[]>();
    for (const request of requests()) byName.set(request.data!.baseData!.name!, [...(byName.get(request.data!.baseData!.name!) ?? []), request]);
    assert.equal(byName.get('socket.io message:send')?.length, 5, 'four messages stored and one refused');
    assert.equal(byName.get('socket.io session:start')?.length, 3);
    assert.equal(byName.get('socket.io dm:send')?.length, 1);
    const outcomes = byName.get('socket.io message:send')!.map((request) => (request.data!.baseData!.properties as Record<string, string>)['chat.outcome']);
    assert.deepEqual(outcomes.sort(), ['INVALID_MESSAGE', 'ok', 'ok', 'ok', 'ok']);
    const taken = byName.get('socket.io session:start')!.filter((request) => (request.data!.baseData!.properties as Record<string, string>)['chat.outcome'] === 'NICKNAME_TAKEN');
    assert.equal(taken.length, 1);
    // A refused request is the client's mistake, not a failure of the service.
    assert.ok(requests().every((request) => request.data!.baseData!.success === true));
  });

  it('records the Redis and Table Storage calls an event makes as dependencies of its request', () => {
    const send = requests().find((request) => request.data!.baseData!.name === 'socket.io dm:send')!;
    const operation = send.tags!['ai.operation.id'];
    const inSend = dependencies().filter((dependency) => dependency.tags!['ai.operation.id'] === operation);
    const types = new Set(inSend.map((dependency) => String(dependency.data!.baseData!.type)));
    assert.ok(types.has('redis'), `dependency types under dm:send: ${[...types].join(', ')}`);
    const storage = dependencies().filter((dependency) => String(dependency.data!.baseData!.type).includes('Microsoft.Data.Tables'));
    assert.ok(storage.some((dependency) => dependency.data!.baseData!.name === 'TableTransaction.submitTransaction'));
    assert.ok(dependencies().every((dependency) => !String(dependency.data!.baseData!.data ?? '').includes(marker)));
  });

  it('exports the documented chat metrics', () => {
    const names = metricNames();
    for (const name of [
      'chat.sockets.connected',
      'chat.sessions.live',
      'chat.rooms.joined',
      'chat.instance.draining',
      'chat.messages.accepted',
      'chat.messages.delivered',
      'chat.messages.refused',
      'chat.events.refused',
      'chat.ack.duration',
      'chat.history.write.duration',
      'chat.history.batch.size',
      'chat.history.backlog',
      'nodejs.eventloop.delay.p99',
    ]) {
      assert.ok(names.has(name), `${name} not exported; got ${[...names].join(', ')}`);
    }
  });

  it('counts each message stored, and the refused one by its code', () => {
    const metrics = envelopes.flatMap((envelope) =>
      envelope.data?.baseType === 'MetricData'
        ? envelope.data.baseData!.metrics!.map((metric) => ({ ...metric, properties: envelope.data!.baseData!.properties as Record<string, string> }))
        : [],
    );
    // Application Insights receives deltas: the sum over exports is the total.
    const total = (name: string, filter: (properties: Record<string, string>) => boolean = () => true) =>
      metrics.filter((metric) => metric.name === name && filter(metric.properties)).reduce((sum, metric) => sum + metric.value, 0);
    assert.equal(total('chat.messages.accepted'), 5, 'four room messages and one private');
    assert.equal(total('chat.messages.delivered'), 5);
    assert.equal(total('chat.messages.refused', (properties) => properties['chat.error_code'] === 'INVALID_MESSAGE'), 1);
  });

  it('sends no message text, nickname, session token or secret', () => {
    const secrets = [marker, ...transcript.tokens, connectionString, ...connectionStringKeys(azurite.connectionString), redisPassword];
    assert.ok(ingestion.requests.length > 0);
    assert.deepEqual(leaks(ingestion.requests, secrets), []);
  });

  it('writes the trace id of the event into the log lines the event causes', () => {
    const refused = server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"code":"INVALID_MESSAGE"'))
      .map((line) => JSON.parse(line) as { trace_id?: string });
    assert.equal(refused.length, 1);
    const request = requests().find((candidate) => (candidate.data!.baseData!.properties as Record<string, string>)['chat.outcome'] === 'INVALID_MESSAGE')!;
    assert.equal(refused[0]!.trace_id, request.tags!['ai.operation.id']);
  });

  it('connects to nothing but the ingestion endpoint, Redis, Table Storage, the Azure instance metadata service and the SDK settings service', () => {
    const allowed = new Set([
      new URL(ingestion.url).host,
      `127.0.0.1:${redis.port}`,
      `127.0.0.1:${azurite.port}`,
      // The distribution always asks the metadata service whether it runs on an Azure VM (refused here).
      '169.254.169.254:80',
      // Its exporter polls Microsoft's SDK settings service 5-15 s after start, then hourly (refused
      // here): whether this short test lives long enough to see it depends on the machine's load.
      'settings.sdk.monitor.azure.com:443',
    ]);
    const unexpected = server.connections().filter((destination) => !allowed.has(destination));
    assert.deepEqual(unexpected, []);
  });
});
