import { DatabaseSync } from 'node:sqlite';
import { openSqliteJournal } from '../sqlite/index.ts';

/** How long a read waits for the engine's write lock (held for a moment per commit) before failing. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Open an existing SQLite journal for copying, possibly while an engine appends to it in another process.
 * It is first opened the way `keel state` opens it (read-only), so a missing file, a file that is not SQLite,
 * a SQLite database that is not a journal, or a newer schema is refused with the journal's own one-line
 * errors, writing nothing. Then a read-only connection of our own is handed to SQLite's backup API.
 * (SQLite may create the empty `-wal`/`-shm` side files that any WAL reader needs; the journal file itself is
 * never written.)
 *
 * @example const db = await openSqliteSource('run/journal.sqlite');
 */
export async function openSqliteSource(path: string): Promise<DatabaseSync> {
  const journal = await openSqliteJournal({ path, readOnly: true });
  await journal.close();
  return new DatabaseSync(path, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
}

/**
 * What a copy holds, read in one statement (one consistent view): event count, last sequence, snapshot count
 * and schema version. These tables and columns exist in every schema version.
 */
export function sqliteContents(db: DatabaseSync): { events: number; lastSeq: number; snapshots: number; schemaVersion: number } {
  return db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT coalesce(max(seq), 0) FROM events) AS lastSeq,
    (SELECT count(*) FROM snapshots) AS snapshots, (SELECT coalesce(max(version), 0) FROM schema_migrations) AS schemaVersion`).get() as
    { events: number; lastSeq: number; snapshots: number; schemaVersion: number };
}
