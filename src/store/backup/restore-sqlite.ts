import { copyFileSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { openSqliteAuditTable, openSqliteJournal } from '../sqlite/index.ts';
import { fileDigest } from './checksum.ts';
import { readDump } from './dump-format.ts';
import type { BackupManifest } from './manifest.ts';
import { fsyncFile, publishFile, temporaryName } from './no-overwrite.ts';
import { replay } from './replay.ts';
import { checkRestored } from './restore-check.ts';

/** The files that make up a SQLite journal at `path`: any of them existing means a journal is (or was) there. */
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];
/** What a restore leaves next to its temporary journal: the side files, and the writer lock of a name nobody else knows. */
const TEMPORARY_FILES = [...SIDE_FILES, '-writer.lock', '-writer.lock.json'];

/** Refuse a target that exists, or whose leftover WAL would be replayed into the restored file by SQLite. */
export function checkSqliteTarget(path: string): string {
  const target = resolve(path);
  for (const suffix of SIDE_FILES) {
    if (!existsSync(target + suffix)) continue;
    const why = suffix
      ? `is left from an earlier journal at that path; SQLite would mix it into the restored one, so nothing was written`
      : 'already exists; restore never overwrites a journal, nothing was written';
    throw new KeelError('BACKUP_TARGET_EXISTS', why, { field: '--journal', value: target + suffix, hint: 'restore to a new path, or move the old journal away first' });
  }
  return target;
}

/**
 * Restore into a new SQLite file at `target`. A `sqlite` backup is copied byte for byte (and the copy's
 * checksum checked again); a `keel-dump` is replayed into a fresh journal. Either way the result is built under
 * a temporary name beside the target, opened and checked against the manifest, and only then published
 * (without replacing anything): a failed restore leaves no half-written journal for an engine to start on.
 */
export async function restoreToSqlite(manifest: BackupManifest, dataPath: string, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = temporaryName(target);
  try {
    if (manifest.format === 'sqlite') {
      copyFileSync(dataPath, tmp, constants.COPYFILE_EXCL);
      const copied = fileDigest(tmp);
      if (copied.sha256 !== manifest.sha256) {
        throw new KeelError('BACKUP_CORRUPT', 'changed while it was being copied (checksum of the copy differs); nothing was restored', { field: 'backup', value: dataPath });
      }
    }
    const journal = await openSqliteJournal({ path: tmp, durability: 'machine' });
    try {
      if (manifest.format === 'keel-dump') {
        const audit = await openSqliteAuditTable({ path: tmp, durability: 'machine' });
        try {
          await replay(readDump(dataPath), journal, dataPath, audit);
        } finally {
          await audit.close();
        }
      }
      await checkRestored(journal, manifest);
    } finally {
      await journal.close();
    }
    // Closing the last connection checkpoints and removes the WAL; a WAL left behind would not follow the rename.
    if (existsSync(`${tmp}-wal`)) throw new Error(`restored journal ${tmp} kept its WAL after closing`);
    fsyncFile(tmp);
    publishFile(tmp, target, {
      code: 'BACKUP_TARGET_EXISTS', field: '--journal', what: 'a journal at that path (created while restoring)',
      hint: 'restore to a new path, or move the old journal away first',
    });
  } finally {
    for (const suffix of TEMPORARY_FILES) rmSync(tmp + suffix, { force: true });
  }
}
