import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Opens a URL in the default browser through the platform's own opener, as the tutorial's
 * `-Launch` did: `open` on macOS, `cmd /c start ""` on Windows, `xdg-open` elsewhere. Where none can
 * run (a server, CI: no opener on PATH, no graphical session) it says so and gives the URL; it never
 * fails the command that asked.
 */

export interface Opener {
  command: string;
  args: string[];
  /** cmd.exe parses its own command line; Node must pass it unquoted. */
  windowsVerbatimArguments?: boolean;
}

/** How to open `url` here, or why it cannot be opened. */
export function browserOpener(url: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Opener | { cannot: string } {
  if (platform === 'win32') {
    // `start`'s first quoted argument is a window title: the empty one keeps the URL from being taken for it.
    return { command: env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', `start "" "${url}"`], windowsVerbatimArguments: true };
  }
  if (platform === 'darwin') {
    return onPath('open', env) ? { command: 'open', args: [url] } : { cannot: 'open is not on PATH' };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { cannot: 'no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return onPath('xdg-open', env) ? { command: 'xdg-open', args: [url] } : { cannot: 'xdg-open is not on PATH (install xdg-utils)' };
}

/**
 * Starts the opener and returns at once; `say` gets one line: what was run, or why nothing could be
 * (and later, should the opener fail, why). The opener is not waited for: some keep running until
 * the browser closes.
 */
export function openInBrowser(url: string, say: (line: string) => void, platform?: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): void {
  const opener = browserOpener(url, platform, env);
  const cannot = (why: string) => say(`cannot open a browser here: ${why}; open ${url}`);
  if ('cannot' in opener) {
    cannot(opener.cannot);
    return;
  }
  say(`opening ${url} in the default browser (${opener.command})`);
  const child = spawn(opener.command, opener.args, {
    env,
    stdio: 'ignore',
    detached: true,
    windowsHide: true,
    windowsVerbatimArguments: opener.windowsVerbatimArguments ?? false,
  });
  child.on('error', (error) => cannot(`${opener.command} did not run (${error.message})`));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) cannot(`${opener.command} exited with code ${code}`);
  });
  child.unref();
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((folder) => {
    if (!folder) return false;
    try {
      accessSync(join(folder, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
