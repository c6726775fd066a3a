import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Keel's columnar file: a JSON header and columns of float64, laid out so a reader maps the columns as
 * Float64Arrays over the bytes it read (no parsing, no copy).
 *
 *   offset 0   8 bytes  magic "KEELCOLS"
 *   offset 8   u32 LE   format version
 *   offset 12  u32 LE   header length H
 *   offset 16  H bytes  header JSON (UTF-8), then zero bytes up to a multiple of 8
 *   then       each column, `length` float64 in the platform's byte order (recorded in the header)
 *
 * The header carries a SHA-256 of the column bytes; a file that fails any check (magic, version, sizes,
 * JSON, byte order, checksum) reads as absent, never as data.
 */

const MAGIC = Buffer.from('KEELCOLS', 'latin1');
export const COLUMN_FILE_VERSION = 1;
const PREFIX_BYTES = 16;

/** What a column file says about itself besides its columns; `meta` is the caller's, stored as JSON. */
export interface ColumnFileHeader {
  readonly length: number;
  readonly columns: readonly string[];
  readonly meta: unknown;
}

interface StoredHeader extends ColumnFileHeader {
  readonly littleEndian: boolean;
  readonly sha256: string;
}

/**
 * Write `columns` (each `header.length` long, named by `header.columns`) to `path` atomically: to a temporary
 * file beside it, then renamed over it, so a reader never sees half a file.
 *
 * @example
 * writeColumnFile('/tmp/x.keelcols', { length: 2, columns: ['ts'], meta: {} }, [Float64Array.of(1, 2)]);
 */
export function writeColumnFile(path: string, header: ColumnFileHeader, columns: readonly Float64Array[]): void {
  const hash = createHash('sha256');
  for (const c of columns) hash.update(bytesOf(c));
  const stored: StoredHeader = { ...header, littleEndian: endianness() === 'LE', sha256: hash.digest('hex') };
  const json = Buffer.from(JSON.stringify(stored), 'utf8');
  const prefix = Buffer.alloc(align8(PREFIX_BYTES + json.length));
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(COLUMN_FILE_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  json.copy(prefix, PREFIX_BYTES);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeAll(fd, prefix);
    for (const c of columns) writeAll(fd, bytesOf(c));
    closeSync(fd);
    renameSync(temp, path);
  } catch (e) {
    try { closeSync(fd); } catch { /* closed already */ }
    rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Read a column file, or undefined when it is missing or fails a check.
 *
 * @example
 * const file = readColumnFile('/tmp/x.keelcols'); // { header: { length: 2, ... }, columns: [Float64Array [1, 2]] }
 */
export function readColumnFile(path: string): { header: ColumnFileHeader; columns: Float64Array[] } | undefined {
  const bytes = readWhole(path);
  if (bytes === undefined) return undefined;
  if (bytes.length < PREFIX_BYTES || !bytes.subarray(0, 8).equals(MAGIC)) return undefined;
  if (bytes.readUInt32LE(8) !== COLUMN_FILE_VERSION) return undefined;
  const jsonLength = bytes.readUInt32LE(12);
  if (PREFIX_BYTES + jsonLength > bytes.length) return undefined;
  let stored: StoredHeader;
  try {
    stored = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + jsonLength)) as StoredHeader;
  } catch {
    return undefined;
  }
  if (!isStoredHeader(stored) || stored.littleEndian !== (endianness() === 'LE')) return undefined;
  const start = align8(PREFIX_BYTES + jsonLength);
  const columnBytes = stored.length * 8;
  if (bytes.length !== start + stored.columns.length * columnBytes) return undefined;
  const body = bytes.subarray(start);
  if (createHash('sha256').update(body).digest('hex') !== stored.sha256) return undefined;
  // A Float64Array view needs an 8-aligned offset: the buffer is unpooled (offset 0) and `start` is aligned.
  const buffer = (body.byteOffset & 7) === 0 ? body.buffer : body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
  const base = buffer === body.buffer ? body.byteOffset : 0;
  const columns = stored.columns.map((_, k) => new Float64Array(buffer, base + k * columnBytes, stored.length));
  return { header: { length: stored.length, columns: stored.columns, meta: stored.meta }, columns };
}

/** The file's bytes (readFileSync stops at 2 GiB; a 50M-bar cache is bigger), or undefined if unreadable. */
function readWhole(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, bytes, off, Math.min(size - off, 1 << 30), null);
      if (n === 0) return undefined; // shrank while reading
      off += n;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function isStoredHeader(h: unknown): h is StoredHeader {
  if (typeof h !== 'object' || h === null) return false;
  const s = h as Record<string, unknown>;
  return Number.isSafeInteger(s.length) && (s.length as number) >= 0 && Array.isArray(s.columns)
    && s.columns.every((c) => typeof c === 'string') && typeof s.sha256 === 'string' && typeof s.littleEndian === 'boolean' && 'meta' in s;
}

function bytesOf(c: Float64Array): Uint8Array {
  return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
