import { defineInstrument, KeelError, type InstrumentSpec, type MarketEvent, type Money, type OrderEvent } from '../model/index.ts';
import type { Journal } from '../store/index.ts';
import type { ExecutedOrder, ExecutionFill, RecordedSession } from './execution-record.ts';

const PAGE = 20_000;
const TYPES = [
  'engine.started', 'risk.checks', 'market.bar', 'market.quote', 'market.trade',
  'order.submitted', 'order.denied', 'order.rejected', 'order.filled', 'order.canceled', 'order.expired', 'order.updated',
];

interface Building {
  clientOrderId: string; side: 'buy' | 'sell'; type: string; quantity: number; createdAt: number; tag: string | undefined;
  status: string; reason: string | undefined; fills: ExecutionFill[];
}

/**
 * Read a paper or live session back from its journal: the instrument and starting cash (`engine.started`), the
 * market events the engine recorded (`market.*`), and the strategy's orders with their fills. The kill
 * switch's flatten orders and adopted external orders are not the strategy's decisions and are left out.
 *
 * @example const session = await readSession(journal); session.market.length // bars the engine saw
 */
export async function readSession(journal: Journal, label?: string): Promise<RecordedSession> {
  let mode: string | undefined;
  let spec: InstrumentSpec | undefined;
  let initialCash: Money | undefined;
  let account: string | undefined;
  let strategyId: string | undefined;
  let version: string | undefined;
  const market: MarketEvent[] = [];
  const orders = new Map<string, Building>();
  for (let from = 1; ;) {
    const page = await journal.read({ fromSeq: from, limit: PAGE, types: TYPES });
    for (const r of page) {
      if (r.type === 'engine.started') {
        const p = r.payload as { instrumentSpec?: InstrumentSpec; initialCash?: Money };
        spec ??= p.instrumentSpec;
        initialCash ??= p.initialCash;
        account ??= r.stream.account;
        continue;
      }
      if (r.type === 'risk.checks') { mode = (r.payload as { mode?: string }).mode ?? mode; continue; }
      if (r.type.startsWith('market.')) { market.push(r.payload as MarketEvent); continue; }
      const e = r.payload as OrderEvent;
      if (e.type === 'order.submitted') {
        const o = e.order;
        if (o.strategyId === 'external' || o.clientOrderId.startsWith('kill-switch-')) continue;
        strategyId ??= o.strategyId;
        if (o.strategyId !== strategyId) continue;
        version ??= r.version;
        orders.set(o.clientOrderId, { clientOrderId: o.clientOrderId, side: o.side, type: o.type, quantity: o.quantity, createdAt: o.createdAt, tag: o.tag, status: 'SUBMITTED', reason: undefined, fills: [] });
        continue;
      }
      const o = orders.get(e.clientOrderId);
      if (o === undefined) continue;
      switch (e.type) {
        case 'order.filled':
          o.fills.push({ ts: e.fill.ts, quantity: e.fill.quantity, price: e.fill.price, fee: e.fill.fee, decisionPrice: e.fill.decisionPrice });
          o.status = e.leavesQuantity === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
          break;
        case 'order.rejected': case 'order.canceled': o.status = e.type === 'order.rejected' ? 'REJECTED' : 'CANCELED'; o.reason = e.reason; break;
        case 'order.expired': o.status = 'EXPIRED'; break;
        case 'order.updated': o.quantity = e.order.quantity; break;
        default: break;
      }
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1].seq + 1;
  }
  if (spec === undefined || initialCash === undefined || account === undefined) {
    throw new KeelError('NOT_A_SESSION', 'holds no engine session (no engine.started event): was it written by keel paper or keel live?', { field: '--journal', value: journal.location });
  }
  if (market.length === 0) {
    throw new KeelError('NO_MARKET_DATA', 'holds no recorded market data (market.* events): it was written by a Keel that did not record them', { field: '--journal', value: journal.location, hint: 'run the session again with this Keel' });
  }
  const instrument = defineInstrument(spec);
  const byId = new Map<string, ExecutedOrder>(orders);
  return { account, instrument, initialCash, strategyId: strategyId ?? '', strategyVersion: version, market, side: { label: label ?? mode ?? 'session', orders: [...byId.values()] } };
}
