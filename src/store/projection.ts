import type { Fill, OrderEvent, OrderRequest } from '../model/index.ts';
import { nextStatus } from '../execution/index.ts';
import type { BalanceRow, FillRow, JournalRecord, OrderRow } from './journal.ts';

/** One change to the read models, applied by each dialect in the append's transaction. */
export type ProjectionOp =
  | { readonly kind: 'order.insert'; readonly row: OrderRow }
  | {
    readonly kind: 'order.update'; readonly clientOrderId: string; readonly status: string; readonly filledDelta: number;
    readonly quantity?: number; readonly venueOrderId?: string; readonly reason?: string; readonly seq: number;
  }
  | { readonly kind: 'fill.insert'; readonly row: FillRow }
  | { readonly kind: 'position.add'; readonly account: string; readonly instrument: string; readonly lotsDelta: number; readonly seq: number }
  | { readonly kind: 'balance.upsert'; readonly row: BalanceRow };

/**
 * The read models' view of one journaled event (pure). `statusOf` gives an order's status in the read model
 * as of the previous event (the dialect reads it inside the same transaction). Events the read models do
 * not show (risk, market data, lifecycle) project to nothing.
 */
export function project(record: JournalRecord, statusOf: (clientOrderId: string) => string | undefined): ProjectionOp[] {
  const account = record.stream.account;
  const type = record.type;
  if (type === 'account.balance') {
    const p = record.payload as { currency: string; cash: bigint; equity: bigint; realizedPnl: bigint };
    return [{ kind: 'balance.upsert', row: { account, currency: p.currency, cash: String(p.cash), equity: String(p.equity), realizedPnl: String(p.realizedPnl), updatedSeq: record.seq } }];
  }
  if (!type.startsWith('order.')) return [];
  const e = record.payload as OrderEvent;
  if (e.type === 'order.submitted') return [{ kind: 'order.insert', row: orderRow(e.order, account, 'SUBMITTED', record.seq) }];
  if (!('clientOrderId' in e)) return [];
  const current = statusOf(e.clientOrderId);
  // Denied orders were never submitted and have no row; a report for an order without a row changes nothing.
  if (current === undefined) return [];
  let status = current;
  try {
    status = nextStatus(current as never, e);
  } catch {
    // The journal is the record; a report the OMS would refuse does not move the read model either.
  }
  const ops: ProjectionOp[] = [];
  switch (e.type) {
    case 'order.accepted':
      ops.push({ kind: 'order.update', clientOrderId: e.clientOrderId, status, filledDelta: 0, venueOrderId: e.venueOrderId, seq: record.seq });
      break;
    case 'order.filled': {
      const f: Fill = e.fill;
      ops.push({ kind: 'order.update', clientOrderId: e.clientOrderId, status, filledDelta: f.quantity, seq: record.seq });
      ops.push({ kind: 'fill.insert', row: fillRow(f, account, record.seq) });
      ops.push({ kind: 'position.add', account, instrument: f.instrumentId, lotsDelta: f.side === 'buy' ? f.quantity : -f.quantity, seq: record.seq });
      break;
    }
    case 'order.updated':
      ops.push({ kind: 'order.update', clientOrderId: e.clientOrderId, status, filledDelta: 0, quantity: e.order.quantity, seq: record.seq });
      break;
    case 'order.rejected': case 'order.canceled': case 'order.unknown':
      ops.push({ kind: 'order.update', clientOrderId: e.clientOrderId, status, filledDelta: 0, reason: e.reason, seq: record.seq });
      break;
    default:
      ops.push({ kind: 'order.update', clientOrderId: e.clientOrderId, status, filledDelta: 0, seq: record.seq });
  }
  return ops;
}

function orderRow(o: OrderRequest, account: string, status: string, seq: number): OrderRow {
  return {
    clientOrderId: o.clientOrderId, account, strategy: o.strategyId, instrument: o.instrumentId, side: o.side, type: o.type,
    quantity: o.quantity, filledQuantity: 0, status, venueOrderId: null, reason: null, updatedSeq: seq,
  };
}

function fillRow(f: Fill, account: string, seq: number): FillRow {
  return {
    seq, tradeId: f.tradeId, clientOrderId: f.clientOrderId, account, strategy: f.strategyId, instrument: f.instrumentId, side: f.side,
    quantity: f.quantity, price: f.price, fee: String(f.fee), ts: f.ts,
  };
}
