import { lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Zippable, zipSync } from 'fflate';

/** The zip's "made by" system: Unix, so the file modes below mean what they say on Linux. */
const UNIX = 3;

export interface ZippedFolder {
  file: string;
  files: number;
  bytes: number;
}

/**
 * Zips a staged folder for App Service's zip deployment, paths relative to the folder and with '/'
 * separators (Kudu unpacks it into /home/site/wwwroot). npm's `node_modules/.bin` links are left
 * out: they are symbolic links, which a zip cannot carry portably, and nothing runs them on App
 * Service. Any other link is refused rather than silently dropped. The staged tree is a few tens of
 * MiB, so it is zipped in memory in one go.
 */
export function zipFolder(folder: string, zipFile: string): ZippedFolder {
  const entries: Zippable = {};
  let files = 0;
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(folder, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name === '.bin' && relative.endsWith('node_modules')) continue;
      const stats = lstatSync(join(folder, path));
      if (stats.isSymbolicLink()) throw new Error(`${path} is a symbolic link; the App Service package carries files only`);
      if (stats.isDirectory()) {
        walk(path);
        continue;
      }
      entries[path] = [readFileSync(join(folder, path)), { os: UNIX, attrs: (stats.mode & 0o777 | 0o100000) << 16, mtime: stats.mtime }];
      files += 1;
    }
  };
  walk('');
  const zipped = zipSync(entries, { level: 6 });
  writeFileSync(zipFile, zipped);
  return { file: zipFile, files, bytes: zipped.byteLength };
}
