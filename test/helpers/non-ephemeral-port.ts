import { createServer } from 'node:net';

/** Below Linux's default ephemeral range (32768-60999), where the OS never hands out a port by itself. */
const FIRST = 20_000;
const COUNT = 12_000;
const ATTEMPTS = 200;

/**
 * A free loopback port outside the range the OS hands out by itself, for a port that is chosen
 * here and listened on later or again: a server a test kills and starts again on the same port (a
 * crashed instance, a restarted Redis or Azurite, a restarted chat server), or a port given to a
 * child process that listens on it once it has started. A port in the ephemeral range is free only
 * until the OS hands it out again: while the server is down or the child starts, any listener or
 * outgoing connection of a test file running beside this one (or of Chromium) may be given it,
 * and the listen fails with EADDRINUSE (seen on a chat instance's restart). Outside that range only
 * another explicit pick could take it.
 */
export async function nonEphemeralPort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and ${FIRST + COUNT - 1} after ${ATTEMPTS} tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
