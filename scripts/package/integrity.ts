import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The Subresource-Integrity string npm records as `dist.integrity` (`sha512-<base64>`) for a file,
 * computed by streaming: the Node runtime tarball is ~35 MB.
 */
export async function fileIntegrity(path: string, algorithm: 'sha512' | 'sha256' = 'sha512'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `${algorithm}-${hash.digest('base64')}`;
}

/** Hex SHA-256, the form people compare against `certutil -hashfile node.exe SHA256` on Windows. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
