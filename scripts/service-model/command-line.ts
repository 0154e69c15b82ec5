/**
 * Splits a csdef commandLine the way Windows does for simple cases: on whitespace, with double
 * quotes grouping a path that contains spaces.
 */
export function splitCommandLine(commandLine: string): string[] {
  const words: string[] = [];
  for (const match of commandLine.matchAll(/"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? '');
  return words;
}

/** A Windows path relative to the role folder (`startup\x.cmd`, `.\dist\main.js`) in POSIX form. */
export function toRoleRelativePath(windowsPath: string): string {
  return windowsPath.replaceAll('\\', '/').replace(/^(\.\/)+/, '');
}
