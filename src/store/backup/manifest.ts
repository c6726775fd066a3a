import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { fileDigest } from './checksum.ts';
import { publishFile, temporaryName, writeNewFile } from './no-overwrite.ts';

/**
 * A backup is two files side by side: the data (`journal-<UTC time>-seq<last seq>.sqlite` or `.dump`) and
 * its manifest (`….json`), written last, so a backup without a manifest is known to be unfinished. The
 * manifest says where the data came from, what it holds, and its SHA-256, which restore checks before it
 * writes a byte.
 */

/**
 * - `sqlite`: a SQLite journal file, copied with SQLite's online backup API (events, snapshots, read models).
 * - `keel-dump`: JSON lines of a journal's events and snapshots (see dump-format.ts); the read models are
 *   rebuilt on restore by replaying the events.
 */
export type BackupFormat = 'sqlite' | 'keel-dump';

export const MANIFEST_VERSION = 1;

export interface BackupManifest {
  readonly manifestVersion: number;
  readonly format: BackupFormat;
  /** The data file's name; it lives in the manifest's directory. */
  readonly file: string;
  /** The journal copied, without secrets ("/srv/run/journal.sqlite", "postgres://127.0.0.1:5432/test schema keel"). */
  readonly source: string;
  /** ISO-8601 UTC time the copy was taken. */
  readonly createdAt: string;
  /** The copy holds events 1..lastSeq, no more, no fewer. */
  readonly lastSeq: number;
  readonly events: number;
  readonly snapshots: number;
  /** SHA-256 (hex) and size of the data file. */
  readonly sha256: string;
  readonly bytes: number;
  /** Schema version of the journal copied (the SQLite schema for `sqlite`, the PostgreSQL schema for `keel-dump`). */
  readonly keelSchemaVersion: number;
  /** The audit trail the copy holds (absent in backups made before Keel had one). A restore must end at the same head. */
  readonly audit?: AuditContents;
}

/** What a backup holds of the audit trail (store/audit-table.ts): its chain id, record count and last record. */
export interface AuditContents {
  readonly chainId: string;
  readonly records: number;
  /** The last record's seq and hash (0 and null for an empty trail). */
  readonly lastSeq: number;
  readonly lastHash: string | null;
}

/** What a copy holds, read from the copy itself (never from the live journal that kept moving). */
export interface BackupContents {
  readonly events: number;
  readonly lastSeq: number;
  readonly snapshots: number;
  readonly audit: AuditContents;
}

/** The manifest's audit entry for a trail whose last row is `last` (records counted by the caller). */
export function auditContents(chainId: string, last: { readonly seq: number; readonly hash: string } | undefined): AuditContents {
  return { chainId, records: last?.seq ?? 0, lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? null };
}

/** "journal-20250102T030405.678Z-seq42": sorts by time, and says how far the copy reaches. */
export function backupStem(createdAt: Date, lastSeq: number): string {
  const iso = createdAt.toISOString(); // 2025-01-02T03:04:05.678Z
  return `journal-${iso.slice(0, 10).replaceAll('-', '')}T${iso.slice(11, 19).replaceAll(':', '')}${iso.slice(19)}-seq${lastSeq}`;
}

/** Names this code writes, and the only ones retention will ever delete. */
export const STEM_PATTERN = /^journal-\d{8}T\d{6}\.\d{3}Z-seq\d+$/;

export function dataFileName(stem: string, format: BackupFormat): string {
  return `${stem}${format === 'sqlite' ? '.sqlite' : '.dump'}`;
}

/** Write the manifest next to its data file; never replaces an existing one. Returns its path. */
export function writeManifest(dir: string, stem: string, manifest: BackupManifest): string {
  const path = join(dir, `${stem}.json`);
  const tmp = temporaryName(path);
  writeNewFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  publishFile(tmp, path, { code: 'BACKUP_EXISTS', field: 'manifest', what: 'a backup manifest of that name' });
  return path;
}

/**
 * Read and check a manifest. `--from` may name the manifest or its data file (the manifest is found by name).
 * Throws BACKUP_NOT_FOUND, or BACKUP_CORRUPT for anything that is not a manifest this Keel wrote.
 *
 * @example const { manifest, dataPath } = readManifest('backups/journal-20250102T030405.678Z-seq42.json');
 */
export function readManifest(from: string): { manifest: BackupManifest; manifestPath: string; dataPath: string } {
  const manifestPath = resolve(/\.(sqlite|dump)$/.test(from) ? from.replace(/\.(sqlite|dump)$/, '.json') : from);
  if (!existsSync(manifestPath)) {
    throw new KeelError('BACKUP_NOT_FOUND', 'does not exist', { field: '--from', value: from, hint: 'give the .json manifest that keel backup wrote' });
  }
  if (statSync(manifestPath).isDirectory()) {
    const newest = readdirSync(manifestPath).filter((n) => n.endsWith('.json') && STEM_PATTERN.test(n.slice(0, -5))).sort().at(-1);
    throw new KeelError('BACKUP_NOT_FOUND', 'is a directory, not a backup', {
      field: '--from', value: from, hint: newest ? `the newest manifest there is ${join(manifestPath, newest)}` : 'give the .json manifest that keel backup wrote',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    throw notManifest(manifestPath, 'not JSON');
  }
  const m = raw as Record<string, unknown>;
  if (typeof m !== 'object' || m === null) throw notManifest(manifestPath, 'not a JSON object');
  if (typeof m.manifestVersion !== 'number') throw notManifest(manifestPath, 'no manifestVersion');
  if (m.manifestVersion > MANIFEST_VERSION) {
    throw new KeelError('BACKUP_VERSION', `was written by a newer Keel (manifest version ${m.manifestVersion}, this Keel reads ${MANIFEST_VERSION})`, {
      field: '--from', value: manifestPath, hint: 'restore it with the Keel version that made it, or a newer one',
    });
  }
  if (m.format !== 'sqlite' && m.format !== 'keel-dump') throw notManifest(manifestPath, `unknown format ${JSON.stringify(m.format)}`);
  for (const k of ['lastSeq', 'events', 'snapshots', 'bytes', 'keelSchemaVersion'] as const) {
    if (!Number.isSafeInteger(m[k]) || (m[k] as number) < 0) throw notManifest(manifestPath, `${k} is not a count`);
  }
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) throw notManifest(manifestPath, 'sha256 is not a SHA-256 digest');
  if (typeof m.source !== 'string' || typeof m.createdAt !== 'string') throw notManifest(manifestPath, 'source or createdAt missing');
  if (m.audit !== undefined && !isAuditContents(m.audit)) throw notManifest(manifestPath, 'audit is not an audit trail summary');
  // The data file must sit beside the manifest: a manifest must not be able to point a restore at any file on the machine.
  const stem = typeof m.file === 'string' ? m.file.replace(/\.(sqlite|dump)$/, '') : '';
  if (typeof m.file !== 'string' || m.file !== dataFileName(stem, m.format) || !STEM_PATTERN.test(stem)) {
    throw notManifest(manifestPath, 'file is not a backup file name');
  }
  const manifest = m as unknown as BackupManifest;
  return { manifest, manifestPath, dataPath: join(dirname(manifestPath), manifest.file) };
}

/**
 * Check the data file against its manifest (size and SHA-256) before anything is restored from it.
 * Throws BACKUP_NOT_FOUND or BACKUP_CORRUPT, naming the file.
 */
export function verifyDataFile(manifest: BackupManifest, dataPath: string): void {
  if (!existsSync(dataPath)) {
    throw new KeelError('BACKUP_NOT_FOUND', 'is missing: the manifest names it but it is not next to it', { field: 'backup', value: dataPath });
  }
  const digest = fileDigest(dataPath);
  if (digest.bytes !== manifest.bytes || digest.sha256 !== manifest.sha256) {
    throw new KeelError('BACKUP_CORRUPT', `does not match its manifest (sha256 ${digest.sha256.slice(0, 16)}…, ${digest.bytes} bytes; expected ${manifest.sha256.slice(0, 16)}…, ${manifest.bytes} bytes); nothing was restored`, {
      field: 'backup', value: dataPath, hint: 'the file was changed or damaged after the backup: restore an older backup',
    });
  }
}

function isAuditContents(a: unknown): boolean {
  const x = a as Record<string, unknown> | null;
  return typeof x === 'object' && x !== null && typeof x.chainId === 'string' && Number.isSafeInteger(x.records) && Number.isSafeInteger(x.lastSeq)
    && (x.lastHash === null || (typeof x.lastHash === 'string' && /^[0-9a-f]{64}$/.test(x.lastHash)));
}

function notManifest(path: string, why: string): KeelError {
  return new KeelError('BACKUP_CORRUPT', `is not a Keel backup manifest (${why}); nothing was restored`, {
    field: '--from', value: path, hint: 'give the .json manifest that keel backup wrote',
  });
}
