import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { copyService, edit, problemsAfter, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const SCRIPT = 'WorkerRole1/startup/prepare-node.cmd';

/** A fixture copy whose startup script's bytes are rewritten by `change`. */
function withScriptBytes(change: (bytes: Buffer) => Buffer): string[] {
  const root = copyService({
    setup: (root) => writeFileSync(join(root, SCRIPT), change(readFileSync(join(root, SCRIPT)))),
  });
  return problemsIn(root);
}

test('rejects a startup task whose .cmd is not in the role folder', () => {
  assert.deepEqual(problemsAfter([edit('ServiceDefinition.csdef', 'startup\\prepare-node.cmd', 'startup\\install-node.cmd')]), [
    'ServiceDefinition.csdef:16: startup task startup\\install-node.cmd is not in the role folder: WorkerRole1/startup/install-node.cmd does not exist',
  ]);
});

test('rejects a startup .cmd saved with a UTF-8 byte-order mark', () => {
  assert.deepEqual(withScriptBytes((bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])), [
    'WorkerRole1/startup/prepare-node.cmd:1: starts with a UTF-8 byte-order mark; startup scripts must be ASCII with no BOM or Windows does not run them',
  ]);
});

test('rejects a startup .cmd saved as UTF-16', () => {
  assert.deepEqual(withScriptBytes((bytes) => Buffer.concat([Buffer.from([0xff, 0xfe]), bytes])), [
    'WorkerRole1/startup/prepare-node.cmd:1: starts with a UTF-16 byte-order mark; startup scripts must be ASCII with no BOM or Windows does not run them',
  ]);
});

test('rejects a non-ASCII character in a startup .cmd, at its line', () => {
  const problems = withScriptBytes((bytes) => Buffer.from(bytes.toString('latin1').replace('Test fixture:', 'Test fixture \u2014'), 'utf8'));
  assert.deepEqual(problems, ['WorkerRole1/startup/prepare-node.cmd:2: non-ASCII byte 0xE2; startup scripts must be plain ASCII']);
});

test('rejects LF-only line ends in a startup .cmd', () => {
  assert.deepEqual(withScriptBytes((bytes) => Buffer.from(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')), [
    'WorkerRole1/startup/prepare-node.cmd:1: line ends in LF only; startup scripts need CRLF (cmd.exe misreads labels and GOTO targets otherwise)',
  ]);
});

test('holds other batch files beside the task, which it may call, to the same bytes', () => {
  const root = copyService({
    setup: (root) => writeFileSync(join(root, 'WorkerRole1/startup/helper.cmd'), '\ufeff@echo off\r\n', 'utf8'),
  });
  assert.deepEqual(problemsIn(root), [
    'WorkerRole1/startup/helper.cmd:1: starts with a UTF-8 byte-order mark; startup scripts must be ASCII with no BOM or Windows does not run them',
  ]);
});
