import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { fileDigest } from './checksum.ts';
import { backupStem, dataFileName, MANIFEST_VERSION, writeManifest, type BackupContents, type BackupFormat, type BackupManifest } from './manifest.ts';
import { fsyncFile, publishFile } from './no-overwrite.ts';
import { pruneBackups } from './retention.ts';

/** What `keel backup` made. */
export interface BackupResult {
  readonly manifest: BackupManifest;
  readonly manifestPath: string;
  readonly dataPath: string;
  /** Older backups of the same journal deleted by retention (file names, data file then manifest). */
  readonly pruned: readonly string[];
}

/** The backup directory, created if missing. Refuses a path that exists and is not a directory. */
export function prepareBackupDir(to: string): string {
  const dir = resolve(to);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new KeelError('BAD_ARGUMENT', 'is not a directory', { field: '--to', value: to, hint: 'give the directory that holds the backups' });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Turn a finished temporary copy into a backup: flush it, checksum it, give it its final name (never replacing
 * a file), write the manifest, then apply retention. The copy's own contents (events, last seq) are passed
 * in, read from the copy, not from the live journal that kept moving while it was copied.
 */
export function publishBackup(o: {
  readonly dir: string;
  readonly tmp: string;
  readonly format: BackupFormat;
  readonly source: string;
  readonly createdAt: Date;
  readonly contents: BackupContents;
  readonly keelSchemaVersion: number;
  readonly keep: number;
}): BackupResult {
  fsyncFile(o.tmp);
  const digest = fileDigest(o.tmp);
  const stem = backupStem(o.createdAt, o.contents.lastSeq);
  const file = dataFileName(stem, o.format);
  const dataPath = join(o.dir, file);
  publishFile(o.tmp, dataPath, { code: 'BACKUP_EXISTS', field: 'backup', what: 'a backup of that name', hint: 'wait a moment and run it again' });
  const manifest: BackupManifest = {
    manifestVersion: MANIFEST_VERSION, format: o.format, file, source: o.source, createdAt: o.createdAt.toISOString(),
    lastSeq: o.contents.lastSeq, events: o.contents.events, snapshots: o.contents.snapshots,
    sha256: digest.sha256, bytes: digest.bytes, keelSchemaVersion: o.keelSchemaVersion, audit: o.contents.audit,
  };
  let manifestPath: string;
  try {
    manifestPath = writeManifest(o.dir, stem, manifest);
  } catch (err) {
    rmSync(dataPath, { force: true }); // ours, published a moment ago; without a manifest it is not a backup
    throw err;
  }
  const pruned = pruneBackups(o.dir, { keep: o.keep, source: o.source });
  return { manifest, manifestPath, dataPath, pruned };
}
