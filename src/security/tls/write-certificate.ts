import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeelError } from '../../model/index.ts';
import type { CertificatePair } from './certificate.ts';

/**
 * Write a certificate and its key as `<dir>/cert.pem` (0644: it is public) and `<dir>/key.pem` (0600: only
 * the engine's user may read it). Never replaces a file: an existing key may be what clients already trust,
 * and overwriting it would lock them out. Returns the two paths.
 *
 * @example const { cert, key } = writeCertificatePair('tls', await selfSignedCertificate());
 */
export function writeCertificatePair(dir: string, pair: CertificatePair): { cert: string; key: string } {
  const out = resolve(dir);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new KeelError('BAD_ARGUMENT', 'is not a directory', { field: '--out', value: dir });
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const cert = join(out, 'cert.pem');
  const key = join(out, 'key.pem');
  for (const p of [cert, key]) {
    if (existsSync(p)) throw new KeelError('TLS_FILE_EXISTS', 'already exists; nothing was written', { field: '--out', value: p, hint: 'move the old certificate and key away, or choose another --out' });
  }
  // The key first, created 0600 from the start (no moment where another user could open it).
  writeNew(key, pair.keyPem, 0o600);
  writeNew(cert, pair.certPem, 0o644);
  return { cert, key };
}

function writeNew(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode); // the umask may have taken bits away from `mode`; set exactly what was asked
}
