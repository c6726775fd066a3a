import type { BalanceRow, FillRow, JournalRecord, OrderRow, PositionRow } from './journal.ts';
import { isOpenStatus, ordersAskedFor, project } from './projection.ts';

/**
 * The read models of events the stored read models do not include yet, folded in memory.
 *
 * The read models are committed after the events, in a transaction of their own (so that an order intent's
 * write-ahead commit is only its event). A stored watermark (`read_model_state.seq`) says which events they
 * include. A writer catches up before it answers; a reader that may not write (`keel state`, `keel serve`,
 * a backup's fingerprint), or that looks at a journal whose engine died between the two commits, reads the
 * stored rows and the events after the watermark inside one read transaction and lays this tail over them,
 * so every reader sees the read models of exactly the events it sees.
 *
 * Merging relies on two facts of the projector: each event changes at most one order (so an order's
 * `updatedSeq` is unique and every order the tail touches sorts after every order it does not), and fills
 * are keyed by their event's seq (so the tail's fills come after the stored ones).
 *
 * @example
 * const tail = new ReadModelTail(records, storedOrdersById);
 * const orders = tail.orders(storedRows, { openOnly: true });
 */
export class ReadModelTail {
  /** Every order the tail touched, as it stands after the tail. */
  private readonly touched = new Map<string, OrderRow>();
  private readonly newFills: FillRow[] = [];
  private readonly positionDeltas = new Map<string, { account: string; instrument: string; lotsDelta: number; seq: number }>();
  private readonly newBalances = new Map<string, BalanceRow>();

  /**
   * @param records the events after the watermark, in sequence order
   * @param stored the stored rows of the orders `tailOrderIds(records)` names (absent: no row)
   */
  constructor(records: readonly JournalRecord[], stored: ReadonlyMap<string, OrderRow>) {
    const current = (id: string): OrderRow | undefined => this.touched.get(id) ?? stored.get(id);
    for (const record of records) {
      for (const op of project(record, current)) {
        switch (op.kind) {
          case 'order.insert':
            // A client order id names one order forever: a repeated intent keeps the first (see ProjectionOp).
            if (current(op.row.clientOrderId) === undefined) this.touched.set(op.row.clientOrderId, op.row);
            break;
          case 'order.update': {
            const o = current(op.clientOrderId);
            if (o === undefined) break; // the projector only updates orders the lookup found
            this.touched.set(op.clientOrderId, {
              ...o, status: op.status, filledQuantity: o.filledQuantity + op.filledDelta, quantity: op.quantity ?? o.quantity,
              venueOrderId: op.venueOrderId ?? o.venueOrderId, reason: op.reason ?? o.reason, updatedSeq: op.seq,
            });
            break;
          }
          case 'fill.insert':
            this.newFills.push(op.row);
            break;
          case 'position.add': {
            const key = `${op.account}\u0000${op.instrument}`;
            const p = this.positionDeltas.get(key);
            this.positionDeltas.set(key, { account: op.account, instrument: op.instrument, lotsDelta: (p?.lotsDelta ?? 0) + op.lotsDelta, seq: op.seq });
            break;
          }
          case 'balance.upsert':
            this.newBalances.set(`${op.row.account}\u0000${op.row.currency}`, op.row);
            break;
        }
      }
    }
  }

  /** `stored`: the stored rows the query returned (same filter), ordered by updatedSeq. */
  orders(stored: readonly OrderRow[], f: { openOnly?: boolean; account?: string } = {}): OrderRow[] {
    const out = stored.filter((o) => !this.touched.has(o.clientOrderId));
    const changed = [...this.touched.values()]
      .filter((o) => (f.account === undefined || o.account === f.account) && (!f.openOnly || isOpenStatus(o.status)))
      .sort((a, b) => a.updatedSeq - b.updatedSeq);
    return out.concat(changed);
  }

  fills(stored: readonly FillRow[], f: { fromSeq?: number; account?: string } = {}): FillRow[] {
    return stored.concat(this.newFills.filter((x) => x.seq >= (f.fromSeq ?? 0) && (f.account === undefined || x.account === f.account)));
  }

  /** `stored` ordered by account and instrument; a position the tail opens is placed by code-unit order (SQLite's BINARY, PostgreSQL's C collation). */
  positions(stored: readonly PositionRow[], f: { account?: string } = {}): PositionRow[] {
    const out = stored.map((p) => {
      const d = this.positionDeltas.get(`${p.account}\u0000${p.instrument}`);
      return d === undefined ? p : { ...p, lots: p.lots + d.lotsDelta, updatedSeq: d.seq };
    });
    for (const d of this.positionDeltas.values()) {
      if (f.account !== undefined && d.account !== f.account) continue;
      if (out.some((p) => p.account === d.account && p.instrument === d.instrument)) continue;
      insertSorted(out, { account: d.account, instrument: d.instrument, lots: d.lotsDelta, updatedSeq: d.seq }, (p) => [p.account, p.instrument]);
    }
    return out;
  }

  balances(stored: readonly BalanceRow[], f: { account?: string } = {}): BalanceRow[] {
    const out = stored.map((b) => this.newBalances.get(`${b.account}\u0000${b.currency}`) ?? b);
    for (const b of this.newBalances.values()) {
      if (f.account !== undefined && b.account !== f.account) continue;
      if (out.some((x) => x.account === b.account && x.currency === b.currency)) continue;
      insertSorted(out, b, (x) => [x.account, x.currency]);
    }
    return out;
  }
}

/** The client order ids whose stored rows `ReadModelTail` needs: those its events report on or submit again. */
export function tailOrderIds(records: readonly JournalRecord[]): string[] {
  const ids = new Set(ordersAskedFor(records));
  for (const r of records) {
    if (r.type === 'order.submitted') ids.add((r.payload as { order: { clientOrderId: string } }).order.clientOrderId);
  }
  return [...ids];
}

function insertSorted<T>(rows: T[], row: T, key: (r: T) => [string, string]): void {
  const [a, b] = key(row);
  let i = 0;
  while (i < rows.length) {
    const [x, y] = key(rows[i]);
    if (x > a || (x === a && y > b)) break;
    i++;
  }
  rows.splice(i, 0, row);
}
