import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { KeelError } from '../../model/index.ts';
import { temporaryName } from './no-overwrite.ts';
import { prepareBackupDir, publishBackup, type BackupResult } from './publish-backup.ts';
import { checkKeep, DEFAULT_KEEP } from './retention.ts';
import { openSqliteSource, sqliteContents } from './sqlite-source.ts';
import type { BackupContents } from './manifest.ts';

/**
 * Pages per backup step: all of them. SQLite restarts a step-by-step backup whenever another connection
 * writes the source, which against a busy engine might never finish; one step copies one consistent
 * snapshot under a read transaction, and in WAL mode a reader never blocks the engine's commits.
 */
const ALL_PAGES = 2 ** 31 - 1;

export interface SqliteBackupOptions {
  /** The journal file; the engine may be running and appending to it in another process. */
  readonly path: string;
  /** Directory of the backups (created if missing). */
  readonly to: string;
  /** Keep this many newest backups of this journal in `to` (default 7). */
  readonly keep?: number;
  /** Clock for the backup's time (tests). */
  readonly now?: () => Date;
}

/**
 * Online backup of a SQLite journal: a consistent copy taken with SQLite's backup API through a read-only
 * connection of its own, published as `<to>/journal-<UTC time>-seq<last seq>.sqlite` with a `.json` manifest
 * (SHA-256, events, last seq), then retention. A missing, foreign, corrupt or newer-schema source is refused
 * with the journal's own errors before anything is written.
 *
 * @example
 * const { dataPath, manifest } = await backupSqliteJournal({ path: 'run/journal.sqlite', to: 'backups', keep: 7 });
 */
export async function backupSqliteJournal(o: SqliteBackupOptions): Promise<BackupResult> {
  const keep = checkKeep(o.keep ?? DEFAULT_KEEP);
  const source = resolve(o.path);
  const db = await openSqliteSource(source);
  let dir: string;
  let tmp: string | undefined;
  let createdAt: Date;
  try {
    dir = prepareBackupDir(o.to);
    tmp = temporaryName(join(dir, 'journal.sqlite'));
    createdAt = (o.now ?? (() => new Date()))();
    await backup(db, tmp, { rate: ALL_PAGES });
  } catch (err) {
    if (tmp) rmSync(tmp, { force: true });
    if (err instanceof KeelError) throw err;
    throw failed(source, err);
  } finally {
    db.close();
  }
  try {
    const copy = describeCopy(tmp, source);
    return publishBackup({ dir, tmp, format: 'sqlite', source, createdAt, contents: copy.contents, keelSchemaVersion: copy.schemaVersion, keep });
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmp + suffix, { force: true });
    if (err instanceof KeelError) throw err;
    throw failed(source, err);
  }
}

/**
 * Make the copy a self-contained file and read what it holds. It leaves WAL mode (the source's) for a rollback
 * journal: a WAL database is two files, and reading one later, even read-only, creates side files next to it.
 * `quick_check` refuses to publish a copy of a damaged journal as if it were a good backup.
 */
function describeCopy(tmp: string, source: string): { schemaVersion: number; contents: BackupContents } {
  const copy = new DatabaseSync(tmp);
  try {
    copy.exec('PRAGMA journal_mode = DELETE');
    const check = copy.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>;
    if (check.length !== 1 || check[0].quick_check !== 'ok') {
      throw new KeelError('JOURNAL_CORRUPT', `failed SQLite's integrity check (${check[0]?.quick_check ?? 'no answer'}); no backup was written`, {
        field: 'journal', value: source, hint: 'restore it from an earlier backup (keel restore)',
      });
    }
    const { schemaVersion, ...contents } = sqliteContents(copy);
    return { schemaVersion, contents };
  } finally {
    copy.close();
  }
}

function failed(source: string, err: unknown): KeelError {
  const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new KeelError('BACKUP_FAILED', `could not be backed up (${msg}); no backup was written`, { field: 'journal', value: source });
}
