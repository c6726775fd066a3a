import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { KeelError } from '../../model/index.ts';
import type { Durability } from '../journal.ts';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** SQLite's result codes that mean "these bytes are not a sound database" (SQLITE_CORRUPT, SQLITE_NOTADB). */
const CORRUPT_CODES: ReadonlySet<number> = new Set([11, 26]);

/**
 * How long a write waits for another connection's lock before failing. Only a second process on the same
 * file (an operator's `keel state` checkpointing, a misconfigured second engine) ever holds it.
 */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Refuse what cannot be a journal before SQLite opens it, so that not one byte of it is written: a missing
 * directory, a directory, or a file that does not start with SQLite's header (a CSV, a truncated download).
 * A missing or empty file is a new journal.
 */
export function checkJournalFile(path: string, mustExist: boolean): void {
  const stat = statOrUndefined(path);
  if (stat === undefined) {
    if (mustExist) throw new KeelError('JOURNAL_PATH', 'does not exist', { field: 'journal', value: path, hint: 'check the path; an engine creates the journal on its first start' });
    const dir = statOrUndefined(dirname(path));
    if (dir === undefined || !dir.isDirectory()) {
      throw new KeelError('JOURNAL_PATH', 'is in a directory that does not exist', { field: 'journal', value: path, hint: `create ${dirname(path)} first` });
    }
    return;
  }
  if (!stat.isFile()) throw new KeelError('JOURNAL_PATH', 'is not a file', { field: 'journal', value: path, hint: 'name a file inside the run directory, e.g. run/journal.sqlite' });
  if (stat.size === 0) return;
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) {
    throw new KeelError('JOURNAL_CORRUPT', 'is not a SQLite journal (wrong file header); it was left untouched', {
      field: 'journal', value: path, hint: 'point at the run\'s journal.sqlite, or restore it from a backup (keel restore)',
    });
  }
}

/** Open the file (no pragma that writes yet: the schema version is checked first). */
export function openDatabase(path: string, readOnly: boolean): DatabaseSync {
  try {
    return new DatabaseSync(path, { readOnly, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw asJournalError(err, path);
  }
}

/**
 * WAL lets readers (keel state, the API) read while the engine appends, and makes a commit one sequential
 * write. `process` durability: synchronous=NORMAL, the WAL is fsynced at checkpoints only, so a commit
 * survives a crash of the process (the OS holds the write) but not of the machine. `machine`: synchronous=FULL,
 * the WAL is fsynced at every commit.
 */
export function applyWritePragmas(db: DatabaseSync, durability: Durability): void {
  const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string } | undefined;
  if (mode?.journal_mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${mode?.journal_mode})`);
  db.exec(`PRAGMA synchronous = ${durability === 'machine' ? 'FULL' : 'NORMAL'}`);
  // Read models and the tail replay stay in memory; 32 MiB of page cache is small next to an engine.
  db.exec('PRAGMA cache_size = -32768');
  db.exec('PRAGMA temp_store = MEMORY');
  // Keep the WAL file from growing without bound after a burst (it is truncated back to this at checkpoints).
  db.exec('PRAGMA journal_size_limit = 67108864');
}

/**
 * SQLite's error as a Keel error: unreadable bytes are JOURNAL_CORRUPT (one line, the path, never "repaired");
 * anything else keeps SQLite's own message, on one line, under `code`.
 */
export function asJournalError(err: unknown, path: string, code = 'JOURNAL_IO'): KeelError {
  if (err instanceof KeelError) return err;
  const e = err as { errcode?: number; message?: string };
  const detail = firstLine(e?.message ?? String(err));
  if (typeof e?.errcode === 'number' && CORRUPT_CODES.has(e.errcode)) {
    return new KeelError('JOURNAL_CORRUPT', `cannot be read as a SQLite journal (${detail}); it was left untouched`, {
      field: 'journal', value: path, hint: 'restore it from a backup (keel restore)',
    });
  }
  return new KeelError(code, detail, { field: 'journal', value: path });
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
