import type pg from 'pg';
import type { JournalRecord } from '../journal.ts';
import type { ReadModelChanges } from './read-models.ts';

/**
 * A batch's events as ONE statement (its own transaction, one round trip to the server): the write-ahead
 * commit an order waits for. The read models follow in a statement of their own (`readModelStatement`).
 */
export function eventsStatement(schema: string, records: readonly JournalRecord[], payloads: readonly string[], epoch?: number): pg.QueryConfig {
  const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const unnested = `unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], string_to_array($7::text, E'\\x1e'), $8::text[])`;
  return {
    // Prepared once per connection: the plan of this fixed text is reused by every batch.
    name: epoch === undefined ? `keel-append-${schema}` : `keel-append-fenced-${schema}`,
    text: epoch === undefined ? `
      INSERT INTO ${schema}.events (seq, ts, account, strategy, instrument, type, payload, version)
      SELECT * FROM ${unnested}` : `
      -- Fenced (an active of an active/standby pair): the rows go in only while $9 is the lease's epoch. The
      -- lease row is held FOR SHARE for this one statement, so a takeover waits for it, and a statement that
      -- starts after the takeover finds another epoch and inserts nothing (lease.ts).
      WITH fence AS (${fenceSelect(schema, '$9')})
      INSERT INTO ${schema}.events (seq, ts, account, strategy, instrument, type, payload, version, epoch)
      SELECT u.*, $9::bigint FROM ${unnested} AS u WHERE EXISTS (SELECT 1 FROM fence)`,
    values: [
      records.map((r) => r.seq), records.map((r) => r.ts), records.map((r) => r.stream.account), records.map((r) => nullable(r.stream.strategy)),
      records.map((r) => nullable(r.stream.instrument)), records.map((r) => r.type),
      // Payloads travel as one text joined by the ASCII record separator, split by string_to_array: JSON text
      // never holds a raw control character, and this spares pg's array encoder escaping every quote of every
      // payload (about a third of the client's time on batched appends).
      payloads.join(RECORD_SEPARATOR), records.map((r) => nullable(r.version)),
      ...(epoch === undefined ? [] : [epoch]),
    ],
  };
}

/**
 * The lease row, locked FOR SHARE for the statement, if `param` is still its epoch: the guard of every
 * statement a fenced writer makes (events, read models, snapshots). One statement, never a transaction left
 * open across round trips: a writer paused (SIGSTOP) mid-transaction would hold the lock and block the
 * takeover.
 */
export function fenceSelect(schema: string, param: string): string {
  return `SELECT epoch FROM ${schema}.lease WHERE id = 1 AND epoch = ${param}::bigint FOR SHARE`;
}

/**
 * Every read-model change of a run of events, and the watermark moved to `throughSeq` (the last of them), as
 * ONE statement: data-modifying CTEs over unnest()ed column arrays, so the rows and the watermark that
 * describes them commit together. Each CTE touches each row at most once, which the ReadModelPlanner
 * guarantees (one change per row).
 */
export function readModelStatement(schema: string, rm: ReadModelChanges, throughSeq: number, epoch?: number): pg.QueryConfig {
  const s = schema;
  // Fenced: every change is guarded by the lease's epoch (an old active that wakes up must not fold again what
  // the new one already folded); the statement then answers whether it was still current.
  const fenced = epoch !== undefined;
  const guard = fenced ? ' WHERE EXISTS (SELECT 1 FROM fence)' : '';
  const andGuard = fenced ? ' AND EXISTS (SELECT 1 FROM fence)' : '';
  return {
    name: fenced ? `keel-read-models-fenced-${s}` : `keel-read-models-${s}`,
    text: `
      WITH ${fenced ? `fence AS (${fenceSelect(s, '$44')}), ` : ''}new_orders AS (
        -- No ON CONFLICT: an order assumed new that exists fails the whole statement (see ReadModelPlanner).
        INSERT INTO ${s}.orders (client_order_id, account, strategy, instrument, side, type, quantity, filled_quantity, status, venue_order_id, reason, is_open, updated_seq)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::boolean[], $13::bigint[])${guard}
      ), order_updates AS (
        UPDATE ${s}.orders o SET
          status = u.status, filled_quantity = o.filled_quantity + u.filled_delta, quantity = coalesce(u.quantity, o.quantity),
          venue_order_id = coalesce(u.venue_order_id, o.venue_order_id), reason = coalesce(u.reason, o.reason), is_open = u.is_open, updated_seq = u.seq
        FROM unnest($14::text[], $15::text[], $16::bigint[], $17::bigint[], $18::text[], $19::text[], $20::boolean[], $21::bigint[])
          AS u (client_order_id, status, filled_delta, quantity, venue_order_id, reason, is_open, seq)
        -- The ANY() on the key lets the plan look orders up in the primary key instead of hash-joining a scan
        -- of every order ever placed. (A plan cached while the table was tiny may still scan until autovacuum
        -- analyzes it; planning every batch afresh would cost ~0.2 ms.)
        WHERE o.client_order_id = ANY($14::text[]) AND o.client_order_id = u.client_order_id${andGuard}
      ), new_fills AS (
        INSERT INTO ${s}.fills (seq, trade_id, client_order_id, account, strategy, instrument, side, quantity, price, fee, ts)
        SELECT * FROM unnest($22::bigint[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::bigint[], $30::bigint[], $31::numeric[], $32::bigint[])${guard}
      ), position_changes AS (
        INSERT INTO ${s}.positions (account, instrument, lots, updated_seq)
        SELECT * FROM unnest($33::text[], $34::text[], $35::bigint[], $36::bigint[])${guard}
        ON CONFLICT (account, instrument) DO UPDATE SET lots = ${s}.positions.lots + excluded.lots, updated_seq = excluded.updated_seq
      ), balance_changes AS (
        INSERT INTO ${s}.balances (account, currency, cash, equity, realized_pnl, updated_seq)
        SELECT * FROM unnest($37::text[], $38::text[], $39::numeric[], $40::numeric[], $41::numeric[], $42::bigint[])${guard}
        ON CONFLICT (account, currency) DO UPDATE SET
          cash = excluded.cash, equity = excluded.equity, realized_pnl = excluded.realized_pnl, updated_seq = excluded.updated_seq
      ), watermark AS (
        UPDATE ${s}.read_model_state SET seq = $43::bigint WHERE id = 1${andGuard}
      )
      SELECT ${fenced ? '(SELECT count(*)::int FROM fence)' : '1'} AS current`,
    values: [
      ...columns(rm.newOrders, ['clientOrderId', 'account', 'strategy', 'instrument', 'side', 'type', 'quantity', 'filledQuantity', 'status', 'venueOrderId', 'reason', 'isOpen', 'updatedSeq']),
      ...columns(rm.orderUpdates, ['clientOrderId', 'status', 'filledDelta', 'quantity', 'venueOrderId', 'reason', 'isOpen', 'seq']),
      ...columns(rm.fills, ['seq', 'tradeId', 'clientOrderId', 'account', 'strategy', 'instrument', 'side', 'quantity', 'price', 'fee', 'ts']),
      ...columns(rm.positionDeltas, ['account', 'instrument', 'lotsDelta', 'seq']),
      ...columns(rm.balances, ['account', 'currency', 'cash', 'equity', 'realizedPnl', 'updatedSeq']),
      throughSeq,
      ...(fenced ? [epoch] : []),
    ],
  };
}

const RECORD_SEPARATOR = '\x1e';

/** Rows to one array per column, in the order the statement's unnest() expects. */
function columns<T extends object>(rows: readonly T[], keys: ReadonlyArray<keyof T>): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k] ?? null));
}
