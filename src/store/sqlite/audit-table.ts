import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeelError } from '../../model/index.ts';
import type { AuditRow, AuditRowQuery, AuditSeal, AuditTable, AuditTableOptions } from '../audit-table.ts';
import { applyWritePragmas, asJournalError, checkJournalFile, openDatabase } from './connection.ts';
import { checkReadableVersion, migrate, schemaVersionOf } from './migrations.ts';

export interface SqliteAuditTableOptions extends AuditTableOptions {
  /** The journal file (created, and migrated, like the journal, unless read-only). */
  readonly path: string;
}

/**
 * How long one attempt waits for SQLite's write lock. Short, because an append runs on the caller's thread
 * (node:sqlite is synchronous): a busy database is retried after a pause that yields to the event loop,
 * rather than waited for inside it.
 */
const BUSY_WAIT_MS = 50;
const BUSY_ATTEMPTS = 100;
const SQLITE_BUSY = 5;

const COLUMNS = 'seq, ts, actor, origin, action, target, result, reason, details, prev_hash AS prevHash, hash';

/**
 * Open the audit table of the SQLite journal at `path` on a connection of its own (no journal writer lock:
 * the table serialises its appends itself). Refuses what the journal refuses (JOURNAL_PATH, JOURNAL_CORRUPT,
 * JOURNAL_SCHEMA), in one line, writing nothing.
 *
 * @example
 * const table = await openSqliteAuditTable({ path: 'run/journal.sqlite', readOnly: true });
 * console.log(await table.count());
 */
export async function openSqliteAuditTable(o: SqliteAuditTableOptions): Promise<SqliteAuditTable> {
  const readOnly = o.readOnly === true;
  checkJournalFile(o.path, readOnly);
  const db = openDatabase(o.path, readOnly);
  try {
    if (readOnly) {
      checkReadableVersion(db, o.path, 'the audit trail');
    } else {
      schemaVersionOf(db, o.path);
      applyWritePragmas(db, o.durability ?? 'process');
      migrate(db, o.path);
    }
    db.exec(`PRAGMA busy_timeout = ${BUSY_WAIT_MS}`);
    return new SqliteAuditTable(db, o.path, readOnly);
  } catch (err) {
    db.close();
    throw asJournalError(err, o.path, 'JOURNAL_OPEN');
  }
}

/** The SQLite `audit` table. Appends are one IMMEDIATE transaction each: SQLite's write lock is the table's lock. */
export class SqliteAuditTable implements AuditTable {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly readOnly: boolean;
  private readonly db: DatabaseSync;
  private readonly lastRow: StatementSync;
  private readonly insert: StatementSync | undefined;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseSync, location: string, readOnly: boolean) {
    this.db = db;
    this.location = location;
    this.readOnly = readOnly;
    this.lastRow = db.prepare(`SELECT ${COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1`);
    this.insert = readOnly ? undefined : db.prepare(
      'INSERT INTO audit (seq, ts, actor, origin, action, target, result, reason, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async chainId(): Promise<string> {
    this.checkOpen();
    return readChainId(this.db, this.location);
  }

  append(seal: AuditSeal): Promise<AuditRow> {
    return this.inTurn(() => this.appendNow(seal));
  }

  private async appendNow(seal: AuditSeal): Promise<AuditRow> {
    this.checkWritable();
    await this.begin();
    try {
      const last = this.lastRow.get() as AuditRow | undefined;
      const row = seal(last === undefined ? undefined : { ...last }, readChainId(this.db, this.location));
      checkNext(row, last?.seq ?? 0, this.location);
      this.insertRow(row);
      this.db.exec('COMMIT');
      return row;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err instanceof KeelError ? err : asJournalError(err, this.location, 'AUDIT_WRITE');
    }
  }

  async rows(query: AuditRowQuery = {}): Promise<AuditRow[]> {
    this.checkOpen();
    return readAuditRows(this.db, this.location, query);
  }

  async last(): Promise<AuditRow | undefined> {
    this.checkOpen();
    const row = this.lastRow.get() as AuditRow | undefined;
    return row === undefined ? undefined : { ...row };
  }

  async count(): Promise<number> {
    this.checkOpen();
    return (this.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
  }

  importRows(chainId: string, rows: readonly AuditRow[]): Promise<void> {
    return this.inTurn(() => this.importNow(chainId, rows));
  }

  private async importNow(chainId: string, rows: readonly AuditRow[]): Promise<void> {
    this.checkWritable();
    await this.begin();
    try {
      const last = this.lastRow.get() as AuditRow | undefined;
      if (last === undefined) {
        this.db.prepare('UPDATE audit_chain SET chain_id = ? WHERE id = 1').run(chainId);
      } else if (readChainId(this.db, this.location) !== chainId) {
        throw new KeelError('AUDIT_IMPORT', 'already holds an audit chain of another journal; nothing was imported', { field: 'journal', value: this.location });
      }
      let seq = last?.seq ?? 0;
      for (const row of rows) {
        checkNext(row, seq, this.location);
        this.insertRow(row);
        seq = row.seq;
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err instanceof KeelError ? err : asJournalError(err, this.location, 'AUDIT_WRITE');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /**
   * Writes on this connection one after the other, in call order: a transaction must not be begun while an
   * earlier caller's is waiting for the lock (the wait yields to the event loop).
   */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private insertRow(r: AuditRow): void {
    this.insert!.run(r.seq, r.ts, r.actor, r.origin, r.action, r.target, r.result, r.reason, r.details, r.prevHash, r.hash);
  }

  /** Take the write lock, pausing (off the event loop) while another connection or process holds it. */
  private async begin(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if ((err as { errcode?: number }).errcode !== SQLITE_BUSY || attempt >= BUSY_ATTEMPTS) throw asJournalError(err, this.location, 'AUDIT_WRITE');
      }
      await sleep(BUSY_WAIT_MS);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.location });
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.readOnly) throw new KeelError('JOURNAL_READ_ONLY', 'was opened read-only', { field: 'journal', value: this.location, hint: 'open it without readOnly to append audit records' });
  }
}

/** Audit rows of a journal's connection, in sequence order (shared with SqliteJournal.readAudit). */
export function readAuditRows(db: DatabaseSync, location: string, q: AuditRowQuery = {}): AuditRow[] {
  const where = ['seq >= ?'];
  const args: number[] = [q.fromSeq ?? 1];
  if (q.fromTs !== undefined) { where.push('ts >= ?'); args.push(q.fromTs); }
  if (q.toTs !== undefined) { where.push('ts < ?'); args.push(q.toTs); }
  if (q.limit !== undefined) args.push(q.limit);
  try {
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit WHERE ${where.join(' AND ')} ORDER BY seq${q.limit !== undefined ? ' LIMIT ?' : ''}`).all(...args);
    return rows.map((r) => ({ ...r }) as unknown as AuditRow);
  } catch (err) {
    throw asJournalError(err, location, 'JOURNAL_READ');
  }
}

/** The chain id of a journal's audit table. */
export function readChainId(db: DatabaseSync, location: string): string {
  const row = db.prepare('SELECT chain_id AS id FROM audit_chain WHERE id = 1').get() as { id: string } | undefined;
  if (row === undefined || typeof row.id !== 'string') {
    throw new KeelError('AUDIT_CORRUPT', 'has no audit chain id (the audit_chain row was removed)', { field: 'journal', value: location, hint: 'restore the journal from a backup' });
  }
  return row.id;
}

function checkNext(row: AuditRow, lastSeq: number, location: string): void {
  if (row.seq !== lastSeq + 1) {
    throw new KeelError('AUDIT_WRITE', `record ${row.seq} does not follow the last one (${lastSeq}); nothing was written`, { field: 'journal', value: location });
  }
}
