import { DatabaseSync } from 'node:sqlite';
import { checkReadableVersion, openSqliteJournal } from '../sqlite/index.ts';
import { auditContents, type BackupContents } from './manifest.ts';

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
  const db = new DatabaseSync(path, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  try {
    checkReadableVersion(db, path, 'a backup (it carries the audit trail)');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * What a copy holds: event count, last sequence, snapshot count, schema version and the audit trail's head.
 * Read from a finished copy, which no one else writes.
 */
export function sqliteContents(db: DatabaseSync): BackupContents & { schemaVersion: number } {
  const c = db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT coalesce(max(seq), 0) FROM events) AS lastSeq,
    (SELECT count(*) FROM snapshots) AS snapshots, (SELECT coalesce(max(version), 0) FROM schema_migrations) AS schemaVersion`).get() as
    { events: number; lastSeq: number; snapshots: number; schemaVersion: number };
  // The audit tables exist from schema version 3 on (a copy is of the current version: the source was opened by this Keel).
  const chain = db.prepare('SELECT chain_id AS id FROM audit_chain WHERE id = 1').get() as { id: string } | undefined;
  const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const records = (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
  return { ...c, audit: { ...auditContents(chain?.id ?? '', last), records } };
}
