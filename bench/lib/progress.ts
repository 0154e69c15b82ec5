/** Progress lines on stderr, so a long run shows where it is; the tables go to stdout. */
export function progress(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
