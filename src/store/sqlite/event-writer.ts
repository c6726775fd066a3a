import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { JournalRecord, NewJournalEvent } from '../journal.ts';
import { VersionIds } from './versions.ts';

/** Events inserted per multi-row INSERT (the rest of a batch goes one by one). */
const EVENTS_PER_INSERT = 16;
const EVENT_COLUMNS = 8;

/** Events of one append call, with their payloads already encoded. */
export interface EncodedAppend {
  readonly events: readonly NewJournalEvent[];
  readonly payloads: readonly string[];
}

/**
 * Writes one group-commit batch in one transaction: the events, in call order, numbered after the last
 * stored sequence. Nothing else: the read models follow in a transaction of their own (read-model-sync.ts),
 * so that an order intent's write-ahead commit is one small row. All or nothing: on any error the
 * transaction is rolled back and the error thrown, and no sequence number is used up.
 */
export class SqliteEventWriter {
  private readonly db: DatabaseSync;
  private readonly insertOne: StatementSync;
  private readonly insertMany: StatementSync;
  private readonly maxSeq: StatementSync;
  /** Bind values of up to EVENTS_PER_INSERT rows, reused by every batch. */
  private readonly values: Array<string | number | null> = new Array(EVENTS_PER_INSERT * EVENT_COLUMNS).fill(null);
  private readonly versions: VersionIds;

  constructor(db: DatabaseSync) {
    this.db = db;
    const insert = 'INSERT INTO events (seq, ts, account, strategy, instrument, type, payload, version_id) VALUES ';
    this.insertOne = db.prepare(`${insert}(?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertMany = db.prepare(insert + new Array(EVENTS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', '));
    this.maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events');
    this.versions = new VersionIds(db);
  }

  /** Commit `batch`; returns the last sequence number it used and pushes the committed records onto `committed`. */
  write(batch: readonly EncodedAppend[], committed: JournalRecord[]): number {
    const { db, values, versions } = this;
    const records: JournalRecord[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      // Read under the write lock rather than trusted from memory: a second writer on the file (which should
      // not exist) then interleaves whole batches instead of breaking the sequence.
      let seq = (this.maxSeq.get() as { seq: number }).seq;
      let rows = 0;
      for (let b = 0; b < batch.length; b++) {
        const { events, payloads } = batch[b];
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          const s = e.stream;
          seq++;
          const at = rows * EVENT_COLUMNS;
          values[at] = seq;
          values[at + 1] = e.ts;
          values[at + 2] = s.account;
          values[at + 3] = s.strategy ?? null;
          values[at + 4] = s.instrument ?? null;
          values[at + 5] = e.type;
          values[at + 6] = payloads[i];
          values[at + 7] = versions.idOf(e.version);
          // Several rows per statement: each statement is a crossing into SQLite and back.
          if (++rows === EVENTS_PER_INSERT) {
            this.insertMany.run(...values);
            rows = 0;
          }
          records.push({ seq, ts: e.ts, stream: s, type: e.type, payload: e.payload, version: e.version });
        }
      }
      for (let r = 0; r < rows; r++) this.insertOne.run(...values.slice(r * EVENT_COLUMNS, (r + 1) * EVENT_COLUMNS));
      db.exec('COMMIT');
      versions.committed();
      for (let i = 0; i < records.length; i++) committed.push(records[i]);
      return seq;
    } catch (err) {
      versions.rolledBack();
      if (db.isTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The connection is beyond rolling back (I/O error); SQLite discards the transaction on close.
        }
      }
      throw err;
    } finally {
      values.fill(null); // hold no payload past its batch
    }
  }
}
