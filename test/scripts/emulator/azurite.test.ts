import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { startStorage, type Storage } from '../../../scripts/emulator/azurite.js';
import { developmentStorageConnectionString } from '../../../scripts/emulator/development-storage.js';
import { storagePortMessage } from '../../../scripts/emulator/preflight.js';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { canListen, temporaryStorageDir } from './running-emulator.js';

/** The emulator's Azurite, started as main.ts starts it: on a thread of this process, real, on loopback. */

const location = temporaryStorageDir();
const crashes: string[] = [];
const running = new Set<Storage>();

async function start(port: number, fresh: boolean): Promise<Storage> {
  const storage = await startStorage({ location, port, fresh, crashed: (reason) => crashes.push(reason) });
  running.add(storage);
  return storage;
}

async function stop(storage: Storage): Promise<void> {
  running.delete(storage);
  await storage.close();
}

function table(port: number): TableClient {
  return TableClient.fromConnectionString(developmentStorageConnectionString(port), 'messages', { allowInsecureConnection: true });
}

/** This process's threads, from Linux's view of it. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

describe("the emulator's Azurite, on a thread of its own", { timeout: 60_000 }, () => {
  after(async () => {
    for (const storage of running) await storage.close();
    rmSync(location, { recursive: true, force: true });
  });

  it('stores rows and serves them, keeps them across a stop and a start, and --fresh empties it', async () => {
    const port = await nonEphemeralPort();
    const first = await start(port, true);
    await table(port).createTable();
    await table(port).createEntity({ partitionKey: 'lobby', rowKey: '1', text: 'still here?' });
    await stop(first);

    const second = await start(port, false);
    assert.equal((await table(port).getEntity<{ text: string }>('lobby', '1')).text, 'still here?');
    await stop(second);

    const third = await start(port, true);
    await assert.rejects(table(port).getEntity('lobby', '1'), { statusCode: 404 });
    await stop(third);
    assert.deepEqual(crashes, []);
  });

  it('ends its thread and frees its port when closed', { skip: process.platform !== 'linux' && '/proc only' }, async () => {
    const port = await nonEphemeralPort();
    const before = threadCount();
    const storage = await start(port, true);
    assert.ok(threadCount() > before, 'Azurite runs on a thread of its own');
    await stop(storage);
    assert.equal(threadCount(), before, 'no thread left');
    assert.equal(await canListen(port), true, `port ${port} is free`);
    assert.deepEqual(crashes, []);
  });

  it('fails on a port another program took, naming the port and the flag that moves it, and leaves no thread', async () => {
    const port = await nonEphemeralPort();
    const other = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    const before = process.platform === 'linux' ? threadCount() : 0;
    try {
      await assert.rejects(start(port, true), { message: storagePortMessage(port, 'in use by another program') });
      if (process.platform === 'linux') assert.equal(threadCount(), before, 'no thread left');
    } finally {
      other.close();
    }
  });

  it('fails on a database file it cannot read, saying where the data is and that --fresh starts it empty', async () => {
    const port = await nonEphemeralPort();
    await stop(await start(port, true));
    writeFileSync(join(location, '__azurite_db_table__.json'), '{"collections": [');
    await assert.rejects(start(port, false), (error: Error) => {
      assert.match(error.message, /^emulator: Azurite's table service did not start: .+ \(its data is in .+; --fresh starts it empty\)$/);
      assert.ok(error.message.includes(location));
      return true;
    });
    assert.equal(await canListen(port), true, `port ${port} is free`);
  });
});
