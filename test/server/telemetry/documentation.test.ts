import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Every instrument the server creates: the first string argument of each create*(...) or new Tally(...) call. */
const created = ['instruments.ts', 'observe-chat-server.ts']
  .flatMap((file) => [...read(`WorkerRole1/src/server/telemetry/${file}`).matchAll(/(?:create\w+|counter|histogram|new Tally)\(\s*'([a-z0-9_.]+)'/g)])
  .map((match) => match[1]!)
  .sort();

const tableNames = (text: string) => new Set([...text.matchAll(/^\| `([a-z0-9_.]+)` \|/gm)].map((match) => match[1]!));

describe('telemetry documentation', () => {
  it('finds the instruments the server creates', () => {
    assert.ok(created.includes('chat.ack.duration') && created.includes('chat.sockets.connected'), created.join(', '));
  });

  it('lists every metric in the README and in docs/operations.md, and no other', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Telemetry'), readme.indexOf('\n## ', readme.indexOf('## Telemetry') + 1));
    assert.deepEqual([...tableNames(section)].sort(), created);
    const operations = read('docs/operations.md');
    const metrics = operations.slice(operations.indexOf('## Metrics'), operations.indexOf('\n## ', operations.indexOf('## Metrics') + 1));
    assert.deepEqual([...tableNames(metrics)].sort(), created);
  });

  it('has a workbook that the portal can import and whose charts query metrics the server sends', () => {
    const workbook = JSON.parse(read('docs/workbook/chatapp.workbook.json')) as {
      version: string;
      items: Array<{ type: number; name: string; content: { query?: string; resourceType?: string } }>;
    };
    assert.equal(workbook.version, 'Notebook/1.0');
    const names = workbook.items.map((item) => item.name);
    assert.equal(new Set(names).size, names.length, 'item names are unique');
    const queries = workbook.items.filter((item) => item.type === 3);
    assert.ok(queries.length >= 8);
    for (const item of queries) assert.equal(item.content.resourceType, 'microsoft.insights/components', item.name);
    const queried = queries.flatMap((item) => [...item.content.query!.matchAll(/(?<!\[)"((?:chat|nodejs)\.[a-z0-9_.]+)"/g)].map((match) => match[1]!));
    for (const name of queried) assert.ok(created.includes(name), `the workbook queries ${name}, which the server does not send`);
    const eventSpans = queries.filter((item) => item.content.query!.includes('"socket.io '));
    assert.ok(eventSpans.length > 0, 'ack percentiles come from the socket.io request spans');
  });
});
