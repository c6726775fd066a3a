import type pg from 'pg';
import { decodePayload } from '../event-codec.ts';
import type { JournalRecord } from '../journal.ts';

/** An `events` row as the journal's connections parse it (bigint columns as numbers, payload as its stored text). */
export interface EventDbRow {
  seq: number; ts: number; account: string; strategy: string | null; instrument: string | null; type: string; payload: string; version: string | null;
}

export const EVENT_COLUMNS = 'seq, ts, account, strategy, instrument, type, payload, version';

export function toRecord(r: EventDbRow): JournalRecord {
  const stream = { account: r.account, ...(r.strategy !== null && { strategy: r.strategy }), ...(r.instrument !== null && { instrument: r.instrument }) };
  const base = { seq: r.seq, ts: r.ts, stream, type: r.type, payload: decodePayload(r.payload) };
  return r.version !== null ? { ...base, version: r.version } : base;
}

/** Events from `fromSeq` on, at most `limit` (all when absent), in the caller's transaction if it has one. */
export async function eventsFrom(c: pg.Client, schema: string, fromSeq: number, limit?: number): Promise<JournalRecord[]> {
  const r = await c.query<EventDbRow>(
    `SELECT ${EVENT_COLUMNS} FROM ${schema}.events WHERE seq >= $1 ORDER BY seq${limit !== undefined ? ' LIMIT $2' : ''}`,
    limit !== undefined ? [fromSeq, limit] : [fromSeq],
  );
  return r.rows.map(toRecord);
}

/**
 * The stored read models' watermark. A missing row (a damaged journal) is refused: folding every event again
 * would count fills twice. A schema-1 journal read without migrating has no watermark table; its read models
 * were committed with the events, so they include every event (checked per call: an engine may migrate meanwhile).
 */
export async function watermarkOf(c: pg.Client, schema: string): Promise<number> {
  const table = await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'read_model_state'`, [schema]);
  if (table.rowCount === 0) {
    return Number((await c.query<{ seq: string }>(`SELECT coalesce(max(seq), 0) AS seq FROM ${schema}.events`)).rows[0].seq);
  }
  const r = await c.query<{ seq: number }>(`SELECT seq FROM ${schema}.read_model_state WHERE id = 1`);
  if (r.rows.length === 0) throw new Error(`the read-model watermark (table ${schema}.read_model_state) is missing`);
  return r.rows[0].seq;
}
