import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Total bytes and file count of a folder, for the size report. */
export function folderSize(root: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        bytes += statSync(path).size;
        files += 1;
      }
    }
  };
  walk(root);
  return { bytes, files };
}
