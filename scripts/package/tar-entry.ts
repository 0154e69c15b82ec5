import { gunzipSync } from 'node:zlib';

/**
 * Reads one regular file out of a gzipped tarball (the ustar layout npm writes): 512-byte header
 * blocks, the name at 0..100 with an optional ustar prefix at 345..500, the size in octal at
 * 124..136, the content padded to 512 bytes. Enough for npm package tarballs; not a general tar
 * reader (no GNU long names, no pax headers beyond skipping them). Written here rather than
 * depending on `tar` because Node has no tar reader built in and Windows' tar.exe is not on every
 * machine that runs this.
 */
export function readTarEntry(gzipped: Buffer, wantedPath: string): Buffer | undefined {
  const tar = gunzipSync(gzipped);
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined; // end-of-archive marker
    const name = text(header, 0, 100);
    const prefix = text(header, 345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = Number.parseInt(text(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const start = offset + 512;
    if ((type === '0' || type === '\0') && path === wantedPath) return Buffer.from(tar.subarray(start, start + size));
    offset = start + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}
