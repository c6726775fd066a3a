import type pg from 'pg';
import type { JournalRecord } from '../journal.ts';
import type { ReadModelChanges } from './read-models.ts';

/**
 * A whole batch (its events and every read-model change they imply) as ONE statement: data-modifying CTEs
 * over unnest()ed column arrays. A single statement is its own transaction, so the batch commits or rolls
 * back as a unit with one round trip to the server; that round trip, not the server's work, is what limits
 * unbatched appends (write-ahead of order intents). Each CTE touches each row at most once, which the
 * ReadModelPlanner guarantees (one change per row).
 */
export function appendStatement(schema: string, records: readonly JournalRecord[], payloads: readonly string[], rm: ReadModelChanges): pg.QueryConfig {
  const s = schema;
  const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  return {
    // Prepared once per connection: the plan of this fixed text is reused by every batch.
    name: `keel-append-${s}`,
    text: `
      WITH new_events AS (
        INSERT INTO ${s}.events (seq, ts, account, strategy, instrument, type, payload, version)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], string_to_array($7::text, E'\\x1e'), $8::text[])
      ), new_orders AS (
        -- No ON CONFLICT: an order assumed new that exists fails the whole statement (see ReadModelPlanner).
        INSERT INTO ${s}.orders (client_order_id, account, strategy, instrument, side, type, quantity, filled_quantity, status, venue_order_id, reason, is_open, updated_seq)
        SELECT * FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[], $20::boolean[], $21::bigint[])
      ), order_updates AS (
        UPDATE ${s}.orders o SET
          status = u.status, filled_quantity = o.filled_quantity + u.filled_delta, quantity = coalesce(u.quantity, o.quantity),
          venue_order_id = coalesce(u.venue_order_id, o.venue_order_id), reason = coalesce(u.reason, o.reason), is_open = u.is_open, updated_seq = u.seq
        FROM unnest($22::text[], $23::text[], $24::bigint[], $25::bigint[], $26::text[], $27::text[], $28::boolean[], $29::bigint[])
          AS u (client_order_id, status, filled_delta, quantity, venue_order_id, reason, is_open, seq)
        -- The ANY() on the key lets the plan look orders up in the primary key instead of hash-joining a scan
        -- of every order ever placed. (A plan cached while the table was tiny may still scan until autovacuum
        -- analyzes it; planning every batch afresh would cost ~0.2 ms, half an unbatched append.)
        WHERE o.client_order_id = ANY($22::text[]) AND o.client_order_id = u.client_order_id
      ), new_fills AS (
        INSERT INTO ${s}.fills (seq, trade_id, client_order_id, account, strategy, instrument, side, quantity, price, fee, ts)
        SELECT * FROM unnest($30::bigint[], $31::text[], $32::text[], $33::text[], $34::text[], $35::text[], $36::text[], $37::bigint[], $38::bigint[], $39::numeric[], $40::bigint[])
      ), position_changes AS (
        INSERT INTO ${s}.positions (account, instrument, lots, updated_seq)
        SELECT * FROM unnest($41::text[], $42::text[], $43::bigint[], $44::bigint[])
        ON CONFLICT (account, instrument) DO UPDATE SET lots = ${s}.positions.lots + excluded.lots, updated_seq = excluded.updated_seq
      ), balance_changes AS (
        INSERT INTO ${s}.balances (account, currency, cash, equity, realized_pnl, updated_seq)
        SELECT * FROM unnest($45::text[], $46::text[], $47::numeric[], $48::numeric[], $49::numeric[], $50::bigint[])
        ON CONFLICT (account, currency) DO UPDATE SET
          cash = excluded.cash, equity = excluded.equity, realized_pnl = excluded.realized_pnl, updated_seq = excluded.updated_seq
      )
      SELECT 1`,
    values: [
      records.map((r) => r.seq), records.map((r) => r.ts), records.map((r) => r.stream.account), records.map((r) => nullable(r.stream.strategy)),
      records.map((r) => nullable(r.stream.instrument)), records.map((r) => r.type),
      // Payloads travel as one text joined by the ASCII record separator, split by string_to_array: JSON text
      // never holds a raw control character, and this spares pg's array encoder escaping every quote of every
      // payload (about a third of the client's time on batched appends).
      payloads.join(RECORD_SEPARATOR), records.map((r) => nullable(r.version)),
      ...columns(rm.newOrders, ['clientOrderId', 'account', 'strategy', 'instrument', 'side', 'type', 'quantity', 'filledQuantity', 'status', 'venueOrderId', 'reason', 'isOpen', 'updatedSeq']),
      ...columns(rm.orderUpdates, ['clientOrderId', 'status', 'filledDelta', 'quantity', 'venueOrderId', 'reason', 'isOpen', 'seq']),
      ...columns(rm.fills, ['seq', 'tradeId', 'clientOrderId', 'account', 'strategy', 'instrument', 'side', 'quantity', 'price', 'fee', 'ts']),
      ...columns(rm.positionDeltas, ['account', 'instrument', 'lotsDelta', 'seq']),
      ...columns(rm.balances, ['account', 'currency', 'cash', 'equity', 'realizedPnl', 'updatedSeq']),
    ],
  };
}

const RECORD_SEPARATOR = '\x1e';

/** Rows to one array per column, in the order the statement's unnest() expects. */
function columns<T extends object>(rows: readonly T[], keys: ReadonlyArray<keyof T>): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k] ?? null));
}
