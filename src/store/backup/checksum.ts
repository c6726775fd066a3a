import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** What a backup's manifest promises about its data file. */
export interface FileDigest {
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

const CHUNK = 1 << 20;

/**
 * SHA-256 and size of a file, read in 1 MiB chunks so that a multi-gigabyte journal never sits in memory.
 *
 * @example fileDigest('backups/journal-20250102T030405.678Z-seq42.sqlite') // { sha256: 'e3b0…', bytes: 8192 }
 */
export function fileDigest(path: string): FileDigest {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
    // A file that grew or shrank while we read it is not the file we describe.
    if (fstatSync(fd).size !== bytes) throw new Error(`${path} changed size while it was being checksummed`);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}
