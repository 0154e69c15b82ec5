import assert from 'node:assert/strict';
import { it } from 'node:test';
import { profilingFlags } from '../../../scripts/emulator/profiling-flags.js';

it("passes the emulator's profiler flags to its instances, with their values in either form, and not its loader flags", () => {
  assert.deepEqual(
    profilingFlags(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', '/tmp/profiles', '--heap-prof-interval=4096', '--expose-gc', '--heap-prof']),
    ['--cpu-prof', '--cpu-prof-dir', '/tmp/profiles', '--heap-prof-interval=4096', '--heap-prof'],
  );
  assert.deepEqual(profilingFlags(['--import', 'tsx', '--enable-source-maps']), []);
});
