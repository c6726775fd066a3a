import { DatabaseSync } from 'node:sqlite';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KeelError } from '../../model/index.ts';

/**
 * One writer per SQLite journal. Two engines appending to one file would each believe their own positions and
 * order ids (principle 5: never guess), so the second is refused at open rather than interleaved.
 *
 * The lock is an exclusive transaction held open on a small side database (`<journal>-writer.lock`). SQLite
 * takes it with an OS file lock, which the kernel drops when the holding process dies, so a killed engine
 * never leaves a stale lock behind (a pid file would), and it is refused within one process too. Readers
 * (`keel state`, backups) never touch it. Who holds it is written to `<journal>-writer.lock.json`, only to
 * name the holder in the refusal.
 */
export class SqliteWriterLock {
  private readonly db: DatabaseSync;
  private readonly infoPath: string;

  private constructor(db: DatabaseSync, infoPath: string) {
    this.db = db;
    this.infoPath = infoPath;
  }

  /** Take the lock for the journal at `journalPath`, or throw JOURNAL_LOCKED naming the holder. */
  static acquire(journalPath: string): SqliteWriterLock {
    const lockPath = `${journalPath}-writer.lock`;
    const infoPath = `${lockPath}.json`;
    const db = new DatabaseSync(lockPath, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch {
      db.close();
      throw new KeelError('JOURNAL_LOCKED', `is already open for writing by ${holderOf(infoPath)}`, {
        field: 'journal', value: journalPath, hint: 'one engine per journal: stop the other engine, use another journal, or open this one read-only',
      });
    }
    try {
      writeFileSync(infoPath, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`);
    } catch {
      // Only the refusal message of a second writer is poorer for it.
    }
    return new SqliteWriterLock(db, infoPath);
  }

  release(): void {
    if (!this.db.isOpen) return;
    try { this.db.exec('ROLLBACK'); } catch { /* closing releases it anyway */ }
    this.db.close();
    rmSync(this.infoPath, { force: true });
  }
}

function holderOf(infoPath: string): string {
  try {
    const h = JSON.parse(readFileSync(infoPath, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    return `process ${String(h.pid)} on ${String(h.host)} (since ${String(h.since)})`;
  } catch {
    return 'another process';
  }
}
