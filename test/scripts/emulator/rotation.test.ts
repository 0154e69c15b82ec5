import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rotation, hashAddress, normalizeAddress } from '../../../scripts/emulator/rotation.js';

const instances = ['IN_0', 'IN_1', 'IN_2'];

describe('load balancer rotation', () => {
  it('sourceIP sends every connection of one client to one instance', () => {
    const rotation = new Rotation<string>('sourceIP');
    const first = rotation.pick(instances, '10.0.0.7');
    for (let i = 0; i < 20; i++) assert.equal(rotation.pick(instances, '10.0.0.7'), first);
  });

  it('sourceIP treats an IPv4-mapped IPv6 address as the IPv4 one', () => {
    assert.equal(normalizeAddress('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(normalizeAddress('::1'), '::1');
    assert.equal(hashAddress('::ffff:10.1.2.3'), hashAddress('10.1.2.3'));
    const rotation = new Rotation<string>('sourceIP');
    assert.equal(rotation.pick(instances, '::ffff:10.1.2.3'), rotation.pick(instances, '10.1.2.3'));
  });

  it('sourceIP spreads many clients over every instance', () => {
    const rotation = new Rotation<string>('sourceIP');
    const counts = new Map<string, number>();
    for (let i = 1; i <= 255; i++) {
      const picked = rotation.pick(instances, `127.0.0.${i}`)!;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    for (const instance of instances) assert.ok((counts.get(instance) ?? 0) > 40, `${instance}: ${counts.get(instance)}`);
  });

  it('sourceIP only picks instances in rotation', () => {
    const rotation = new Rotation<string>('sourceIP');
    for (let i = 1; i <= 50; i++) assert.equal(rotation.pick(['IN_1'], `127.0.0.${i}`), 'IN_1');
    assert.equal(rotation.pick([], '127.0.0.1'), undefined);
  });

  it('the hash is stable across runs (tests choose client addresses by it)', () => {
    assert.equal(hashAddress('127.0.0.1'), hashAddress('127.0.0.1'));
    assert.equal(hashAddress(''), 0x811c9dc5);
  });

  it('default distribution goes round robin per connection, whoever the client', () => {
    const rotation = new Rotation<string>('default');
    const picked = Array.from({ length: 6 }, () => rotation.pick(instances, '10.0.0.7'));
    assert.deepEqual(picked, ['IN_0', 'IN_1', 'IN_2', 'IN_0', 'IN_1', 'IN_2']);
    assert.equal(rotation.pick([], '10.0.0.7'), undefined);
  });
});
