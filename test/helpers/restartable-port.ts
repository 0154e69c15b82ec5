import { createServer } from 'node:net';

/** Below Linux's default ephemeral range (32768-60999), where the OS never hands out a port by itself. */
const FIRST = 20_000;
const COUNT = 12_000;
const ATTEMPTS = 200;

/**
 * A free loopback port for a server that a test kills and starts again on the same port (a crashed
 * instance, a restarted Redis). A port the OS picked (port 0) lies in the ephemeral range, where,
 * while the server is down, any listener or outgoing connection of a test file running beside this
 * one may be given it; once seen as EADDRINUSE on a restart. Outside that range only another
 * explicit pick could take it.
 */
export async function restartablePort(): Promise<number> {
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
