import { KeelError } from '../../model/index.ts';
import { decodePayload } from '../event-codec.ts';
import type { JournalRecord, JournalStream } from '../journal.ts';

/** An `events` row joined with its version, as the read queries select it. */
export interface EventRow {
  seq: number;
  ts: number;
  account: string;
  strategy: string | null;
  instrument: string | null;
  type: string;
  payload: string;
  version: string | null;
}

/** The SELECT of events (with their versions) matching `where`, in sequence order, optionally limited (last parameter). */
export function eventsQuery(where: readonly string[], limited: boolean): string {
  return `SELECT e.seq, e.ts, e.account, e.strategy, e.instrument, e.type, e.payload, v.version FROM events e LEFT JOIN versions v ON v.id = e.version_id
      WHERE ${where.join(' AND ')} ORDER BY e.seq${limited ? ' LIMIT ?' : ''}`;
}

/** A row as the journal hands it out: the payload decoded (bigints back), absent stream fields and version left out. */
export function toRecord(r: EventRow): JournalRecord {
  const stream: { -readonly [K in keyof JournalStream]: JournalStream[K] } = { account: r.account };
  if (r.strategy !== null) stream.strategy = r.strategy;
  if (r.instrument !== null) stream.instrument = r.instrument;
  const payload = decodePayload(r.payload);
  return r.version === null
    ? { seq: r.seq, ts: r.ts, stream, type: r.type, payload }
    : { seq: r.seq, ts: r.ts, stream, type: r.type, payload, version: r.version };
}

/** A read option that must be a whole number, 0 or more (undefined: not given). */
export function checkCount(v: number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 0) throw new KeelError('BAD_JOURNAL_READ', 'must be a whole number, 0 or more', { field, value: v });
  return v;
}
