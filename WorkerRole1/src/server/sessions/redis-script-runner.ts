import type { LuaScript } from './redis-scripts.js';
import { SessionStoreError } from './session-registry.js';

/** What the registry needs of a node-redis client; any `createClient()` client has it. */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Sends the registry's scripts and commands to Redis, each within a timeout, and turns every
 * failure into a SessionStoreError. node-redis stops timing a command once it is written, so a
 * Redis that accepted the connection but does not answer (frozen, or cut off without a reset)
 * would otherwise hang the caller until TCP gives up, many minutes later. A script that times out
 * may still run when Redis answers again: a claim then leaves a session nobody holds the token
 * of, which lapses with its lease.
 */
export class RedisScriptRunner {
  constructor(
    private readonly client: RedisCommandClient,
    private readonly timeoutMs: number,
  ) {}

  /**
   * EVALSHA first; EVAL when Redis lacks the script, as after a restart emptied its cache.
   * `keysAndArgs` holds the one key the scripts declare, then their arguments.
   */
  script(script: LuaScript, keysAndArgs: string[], timeoutMs = this.timeoutMs): Promise<unknown> {
    const reply = this.client
      .sendCommand(['EVALSHA', script.sha1, '1', ...keysAndArgs])
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return this.client.sendCommand(['EVAL', script.source, '1', ...keysAndArgs]);
      });
    return this.withinTimeout(reply, timeoutMs);
  }

  /** One plain command (the sign-in records need no script). */
  command(args: string[]): Promise<unknown> {
    return this.withinTimeout(this.client.sendCommand(args), this.timeoutMs);
  }

  private async withinTimeout(sent: Promise<unknown>, timeoutMs: number): Promise<unknown> {
    const reply = sent.catch((error: unknown) => {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SessionStoreError(`session store (Redis) failed: ${reason}`, { cause: error });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SessionStoreError(`session store (Redis) did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // The reply may still fail after the timeout won; nobody awaits it then.
    reply.catch(() => {});
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
