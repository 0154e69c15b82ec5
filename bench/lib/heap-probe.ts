/**
 * Loaded with `--import` into a server under test (started with --expose-gc and an IPC channel):
 * answers "heap" with the heap in use after a full collection, so heap per connection can be
 * measured in a process the load generator does not share.
 */
process.on('message', (request) => {
  if (request !== 'heap') return;
  globalThis.gc?.();
  globalThis.gc?.();
  process.send?.({ heap: process.memoryUsage().heapUsed });
});
