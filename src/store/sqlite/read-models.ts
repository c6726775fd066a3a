import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BalanceRow, FillRow, JournalRecord, OrderRow, PositionRow } from '../journal.ts';
import { isOpenStatus, project, type OrderProgress } from '../projection.ts';
import { ReadModelTail, tailOrderIds } from '../read-model-tail.ts';

/** An order the batch touched: its state after the batch's events so far, written once at the end. */
interface TouchedOrder {
  status: string;
  filledQuantity: number;
  /** For a new order, its value; for a stored one, the value to set, or null to keep the stored one. */
  quantity: number | null;
  venueOrderId: string | null;
  reason: string | null;
  updatedSeq: number;
  changed: boolean;
  /** The terms of an order submitted in this batch (inserted at the end); undefined for a stored order. */
  readonly created: OrderRow | undefined;
}

/**
 * Applies the shared projector's operations to the SQLite read models inside the append's transaction.
 * Operations are folded per batch: an order submitted, accepted and filled within one batch is written
 * once, a position once per batch however many fills moved it. Writing each operation as it came would
 * cost several statements per event; the fold keeps the read models at about one statement per order and
 * fill. The result is the same as applying the operations one by one, in order.
 *
 * The projector's questions ("what is this order's state now?") are answered from the batch's own changes
 * first, then from the database (each order read at most once per batch): this is the only writer, and the
 * fold is dropped when a transaction rolls back, so nothing stale survives a failed commit.
 */
export class SqliteReadModelWriter {
  private readonly selectOrder: StatementSync;
  private readonly insertOrder: StatementSync;
  private readonly updateOrder: StatementSync;
  private readonly insertFill: StatementSync;
  private readonly addPosition: StatementSync;
  private readonly upsertBalance: StatementSync;
  /** Orders the batch asked about; null when there is no such order. */
  private readonly orders = new Map<string, TouchedOrder | null>();
  private readonly positions = new Map<string, { account: string; instrument: string; lotsDelta: number; seq: number }>();
  private readonly balances = new Map<string, BalanceRow>();
  private readonly lookup: (clientOrderId: string) => OrderProgress | undefined;

  constructor(db: DatabaseSync) {
    this.selectOrder = db.prepare('SELECT status, filled_quantity AS filledQuantity FROM orders WHERE client_order_id = ?');
    this.insertOrder = db.prepare(`INSERT INTO orders (client_order_id, account, strategy, instrument, side, type, quantity, filled_quantity, status,
      venue_order_id, reason, is_open, updated_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.updateOrder = db.prepare(`UPDATE orders SET status = ?, filled_quantity = ?, quantity = coalesce(?, quantity),
      venue_order_id = coalesce(?, venue_order_id), reason = coalesce(?, reason), is_open = ?, updated_seq = ? WHERE client_order_id = ?`);
    this.insertFill = db.prepare(`INSERT INTO fills (seq, trade_id, client_order_id, account, strategy, instrument, side, quantity, price, fee, ts)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.addPosition = db.prepare(`INSERT INTO positions (account, instrument, lots, updated_seq) VALUES (?, ?, ?, ?)
      ON CONFLICT (account, instrument) DO UPDATE SET lots = lots + excluded.lots, updated_seq = excluded.updated_seq`);
    this.upsertBalance = db.prepare(`INSERT INTO balances (account, currency, cash, equity, realized_pnl, updated_seq) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, currency) DO UPDATE SET cash = excluded.cash, equity = excluded.equity, realized_pnl = excluded.realized_pnl,
      updated_seq = excluded.updated_seq`);
    this.lookup = (id) => this.touched(id) ?? undefined;
  }

  /** Fold one record of the batch (in sequence order). */
  add(record: JournalRecord): void {
    const ops = project(record, this.lookup);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      switch (op.kind) {
        case 'order.insert': {
          // A client order id names one order forever: a repeated intent keeps the first order (see ProjectionOp).
          if (this.touched(op.row.clientOrderId) !== null) break;
          const r = op.row;
          this.orders.set(r.clientOrderId, {
            status: r.status, filledQuantity: r.filledQuantity, quantity: r.quantity, venueOrderId: r.venueOrderId, reason: r.reason,
            updatedSeq: r.updatedSeq, changed: true, created: r,
          });
          break;
        }
        case 'order.update': {
          const o = this.touched(op.clientOrderId);
          if (o === null) break; // the projector only updates orders the lookup found
          o.status = op.status;
          o.filledQuantity += op.filledDelta;
          if (op.quantity !== undefined) o.quantity = op.quantity;
          if (op.venueOrderId !== undefined) o.venueOrderId = op.venueOrderId;
          if (op.reason !== undefined) o.reason = op.reason;
          o.updatedSeq = op.seq;
          o.changed = true;
          break;
        }
        case 'fill.insert': {
          const f = op.row;
          this.insertFill.run(f.seq, f.tradeId, f.clientOrderId, f.account, f.strategy, f.instrument, f.side, f.quantity, f.price, f.fee, f.ts);
          break;
        }
        case 'position.add': {
          const key = `${op.account}\u0000${op.instrument}`;
          const p = this.positions.get(key);
          if (p === undefined) this.positions.set(key, { account: op.account, instrument: op.instrument, lotsDelta: op.lotsDelta, seq: op.seq });
          else {
            p.lotsDelta += op.lotsDelta;
            p.seq = op.seq;
          }
          break;
        }
        case 'balance.upsert':
          this.balances.set(`${op.row.account}\u0000${op.row.currency}`, op.row);
          break;
      }
    }
  }

  /** Write what the batch changed (call once, after its last `add`, before COMMIT). */
  write(): void {
    for (const [id, o] of this.orders) {
      if (o === null || !o.changed) continue;
      const open = isOpenStatus(o.status) ? 1 : 0;
      const c = o.created;
      if (c !== undefined) {
        this.insertOrder.run(id, c.account, c.strategy, c.instrument, c.side, c.type, o.quantity, o.filledQuantity, o.status, o.venueOrderId, o.reason, open, o.updatedSeq);
      } else {
        this.updateOrder.run(o.status, o.filledQuantity, o.quantity, o.venueOrderId, o.reason, open, o.updatedSeq, id);
      }
    }
    for (const p of this.positions.values()) this.addPosition.run(p.account, p.instrument, p.lotsDelta, p.seq);
    for (const b of this.balances.values()) this.upsertBalance.run(b.account, b.currency, b.cash, b.equity, b.realizedPnl, b.updatedSeq);
    this.discard();
  }

  /** Forget the batch (after a rollback, or once written). */
  discard(): void {
    this.orders.clear();
    this.positions.clear();
    this.balances.clear();
  }

  private touched(id: string): TouchedOrder | null {
    let o = this.orders.get(id);
    if (o === undefined) {
      const stored = this.selectOrder.get(id) as { status: string; filledQuantity: number } | undefined;
      o = stored === undefined ? null : {
        status: stored.status, filledQuantity: stored.filledQuantity, quantity: null, venueOrderId: null, reason: null, updatedSeq: 0, changed: false, created: undefined,
      };
      this.orders.set(id, o);
    }
    return o;
  }
}

/**
 * Queries of the read models, in the order the Journal interface promises. A writer's journal catches its
 * read models up before asking (`tail` is off); a read-only one reads the stored rows, the watermark and the
 * events after it in one read transaction (one WAL snapshot) and lays those events over the rows
 * (ReadModelTail), so it answers as of the last committed event even while the engine's read-model commit
 * is pending, or after the engine died between the two commits.
 */
export class SqliteReadModelReader {
  private readonly db: DatabaseSync;
  private readonly tail: ((fromSeq: number) => JournalRecord[]) | undefined;
  private readonly statements = new Map<string, StatementSync>();

  /** @param tail when given, the journal's read path, and queries lay the events after the watermark over the stored rows */
  constructor(db: DatabaseSync, tail?: (fromSeq: number) => JournalRecord[]) {
    this.db = db;
    this.tail = tail;
  }

  orders(f: { openOnly?: boolean; account?: string } = {}): OrderRow[] {
    const where: string[] = [];
    const args: string[] = [];
    if (f.account !== undefined) {
      where.push('account = ?');
      args.push(f.account);
    }
    if (f.openOnly) where.push('is_open = 1');
    return this.consistent(() => this.all(`${ORDER_COLUMNS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_seq, client_order_id`, args) as OrderRow[],
      (t, rows) => t.orders(rows, f));
  }

  fills(f: { fromSeq?: number; account?: string } = {}): FillRow[] {
    return this.consistent(() => this.all(`SELECT seq, trade_id AS tradeId, client_order_id AS clientOrderId, account, strategy, instrument, side, quantity, price, fee, ts
      FROM fills WHERE seq >= ? AND (? IS NULL OR account = ?) ORDER BY seq`, [f.fromSeq ?? 0, f.account ?? null, f.account ?? null]) as FillRow[],
      (t, rows) => t.fills(rows, f));
  }

  positions(f: { account?: string } = {}): PositionRow[] {
    return this.consistent(() => this.all(`SELECT account, instrument, lots, updated_seq AS updatedSeq FROM positions WHERE (? IS NULL OR account = ?)
      ORDER BY account, instrument`, [f.account ?? null, f.account ?? null]) as PositionRow[], (t, rows) => t.positions(rows, f));
  }

  balances(f: { account?: string } = {}): BalanceRow[] {
    return this.consistent(() => this.all(`SELECT account, currency, cash, equity, realized_pnl AS realizedPnl, updated_seq AS updatedSeq FROM balances
      WHERE (? IS NULL OR account = ?) ORDER BY account, currency`, [f.account ?? null, f.account ?? null]) as BalanceRow[], (t, rows) => t.balances(rows, f));
  }

  /** `stored()`, and when the read models are behind the events (read-only journals only), `overlay` of the rest. */
  private consistent<T>(stored: () => T, overlay: (tail: ReadModelTail, rows: T) => T): T {
    if (this.tail === undefined) return stored();
    this.db.exec('BEGIN'); // deferred: the first read below fixes the snapshot every later one sees
    try {
      const at = watermarkOf(this.db);
      const rows = stored();
      const records = this.tail(at + 1);
      if (records.length === 0) return rows;
      const ids = tailOrderIds(records);
      const known = new Map<string, OrderRow>();
      if (ids.length > 0) {
        for (const o of this.all(`${ORDER_COLUMNS} WHERE client_order_id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]) as OrderRow[]) known.set(o.clientOrderId, o);
      }
      return overlay(new ReadModelTail(records, known), rows);
    } finally {
      this.db.exec('COMMIT');
    }
  }

  private all(sql: string, args: ReadonlyArray<string | number | null>): object[] {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s.all(...args).map(plain);
  }
}

const ORDER_COLUMNS = `SELECT client_order_id AS clientOrderId, account, strategy, instrument, side, type, quantity, filled_quantity AS filledQuantity,
  status, venue_order_id AS venueOrderId, reason, updated_seq AS updatedSeq FROM orders`;

/**
 * The stored watermark. A missing row (a damaged journal) is refused: folding every event again would count
 * fills twice. A schema-1 journal, read without migrating, has no watermark table: its read models were
 * committed with the events, so they include every event. Checked on every call, since an engine may migrate
 * the journal while a reader has it open.
 */
export function watermarkOf(db: DatabaseSync): number {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_model_state'`).get() !== undefined;
  if (!hasTable) return (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  const row = db.prepare('SELECT seq FROM read_model_state WHERE id = 1').get() as { seq: number } | undefined;
  if (row === undefined) throw new Error('the read-model watermark (table read_model_state) is missing');
  return row.seq;
}

/** node:sqlite rows have a null prototype; callers get ordinary objects. */
function plain(row: object): object {
  return { ...row };
}
