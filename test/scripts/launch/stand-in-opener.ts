import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A stand-in for the platform's opener (`xdg-open`): a script first on PATH that appends the
 * argument it was given to a file instead of opening a browser.
 */
export class StandInOpener {
  readonly folder = mkdtempSync(join(tmpdir(), 'chatapp-opener-'));
  readonly bin = join(this.folder, 'bin');
  private readonly record = join(this.folder, 'opened.txt');

  constructor(readonly name = 'xdg-open') {
    mkdirSync(this.bin);
    writeFileSync(join(this.bin, name), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${this.record}'\n`);
    chmodSync(join(this.bin, name), 0o755);
  }

  /** This process's environment with the stand-in first on PATH, and `extra` set (undefined removes). */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${this.bin}${delimiter}${process.env.PATH ?? ''}` };
    for (const [name, value] of Object.entries(extra)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    return env;
  }

  get wasRun(): boolean {
    return existsSync(this.record);
  }

  /** The URLs it was given, once it has written one (it runs detached, after the line that announces it). */
  async openedUrls(): Promise<string[]> {
    while (!existsSync(this.record) || !readFileSync(this.record, 'utf8').endsWith('\n')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return readFileSync(this.record, 'utf8').trim().split('\n');
  }

  remove(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}
