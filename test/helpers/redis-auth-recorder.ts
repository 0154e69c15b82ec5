import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One client connection through the recorder, with what it authenticated with. */
export interface RecordedConnection {
  id: number;
  /** The passwords (tokens) of every AUTH, and HELLO ... AUTH, the client sent, in order. */
  passwords: string[];
  usernames: string[];
  /** Upper-cased names of the commands it sent (SUBSCRIBE marks the adapter's subscriber). */
  commands: Set<string>;
  open: boolean;
}

export interface RedisAuthRecorder {
  /** The URL to give the client instead of Redis's own (no credentials in it). */
  url: string;
  connections: RecordedConnection[];
  close(): Promise<void>;
}

/**
 * A transparent TCP relay in front of a real redis-server that reads the RESP commands each client
 * sends and records its AUTHs, so a test can tell, connection by connection, that a live one
 * re-authenticated with a renewed token rather than reconnected. Redis itself still checks every
 * AUTH against its ACL; the relay changes no byte in either direction.
 */
export async function startRedisAuthRecorder(redisPort: number): Promise<RedisAuthRecorder> {
  const connections: RecordedConnection[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const recorded: RecordedConnection = { id: connections.length, passwords: [], usernames: [], commands: new Set(), open: true };
    connections.push(recorded);
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const parser = commandParser((args) => record(recorded, args));
    client.on('data', (chunk: Buffer) => {
      parser(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      recorded.open = false;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function record(connection: RecordedConnection, args: string[]): void {
  const name = (args[0] ?? '').toUpperCase();
  connection.commands.add(name);
  if (name === 'AUTH') {
    connection.usernames.push(args.length > 2 ? args[1]! : 'default');
    connection.passwords.push(args[args.length - 1]!);
  } else if (name === 'HELLO') {
    const auth = args.findIndex((arg) => arg.toUpperCase() === 'AUTH');
    if (auth >= 0) {
      connection.usernames.push(args[auth + 1]!);
      connection.passwords.push(args[auth + 2]!);
    }
  }
}

/**
 * Reads RESP arrays of bulk strings (how every client library sends commands) from a byte stream
 * split anywhere; calls `onCommand` with each command's arguments.
 */
function commandParser(onCommand: (args: string[]) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  const readLine = (from: number): [string, number] | undefined => {
    const end = buffer.indexOf('\r\n', from);
    return end < 0 ? undefined : [buffer.toString('latin1', from, end), end + 2];
  };
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = readLine(0);
      if (!header) return;
      let [line, offset] = header;
      if (!line.startsWith('*')) {
        // An inline command (redis-cli typed by hand): one line, space-separated.
        onCommand(line.split(' ').filter(Boolean));
        buffer = buffer.subarray(offset);
        continue;
      }
      const count = Number(line.slice(1));
      const args: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const length = readLine(offset);
        if (!length) return;
        const size = Number(length[0].slice(1));
        if (buffer.length < length[1] + size + 2) return;
        args.push(buffer.toString('utf8', length[1], length[1] + size));
        offset = length[1] + size + 2;
      }
      onCommand(args);
      buffer = buffer.subarray(offset);
    }
  };
}
