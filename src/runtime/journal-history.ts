import type { Money, OrderEvent, TradingState } from '../model/index.ts';
import type { Journal } from '../store/index.ts';

/** Order event types the engine replays on start (everything else in the journal is audit and context). */
const ORDER_EVENTS: ReadonlySet<string> = new Set([
  'order.submitted', 'order.accepted', 'order.rejected', 'order.filled', 'order.canceled', 'order.expired', 'order.unknown',
  'order.pending-update', 'order.updated', 'order.update-rejected',
]);

export interface JournalHistory {
  /** An engine ran on this journal before: this start is a restart. */
  readonly started: boolean;
  readonly initialCash: Money | undefined;
  /** Time of the last journaled event (the engine clock never goes back). */
  readonly lastTs: number;
  readonly orderEvents: readonly OrderEvent[];
  /** The last trading-state change, to come back in the same state. */
  readonly tradingState: { readonly to: TradingState; readonly reason: string } | undefined;
  /** Highest order number a strategy used (`<strategy>-<n>` ids), so numbering continues. */
  lastOrderSeq(strategyId: string): number;
}

/**
 * Read what a previous run left: the order events to replay, the trading state, the starting cash and the
 * order numbering. (Snapshots will shorten the replay; the fold is the same.)
 */
export async function readJournalHistory(journal: Journal): Promise<JournalHistory> {
  const records = await journal.read();
  const orderEvents: OrderEvent[] = [];
  let initialCash: Money | undefined;
  let started = false;
  let lastTs = 0;
  let tradingState: JournalHistory['tradingState'];
  const seqs = new Map<string, number>();
  for (const r of records) {
    if (r.ts > lastTs) lastTs = r.ts;
    if (r.type === 'engine.started') {
      if (!started) initialCash = (r.payload as { initialCash: Money }).initialCash;
      started = true;
    } else if (r.type === 'risk.state-changed') {
      const p = r.payload as { to: TradingState; reason: string };
      tradingState = { to: p.to, reason: p.reason };
    } else if (ORDER_EVENTS.has(r.type)) {
      const e = r.payload as OrderEvent;
      orderEvents.push(e);
      if (e.type === 'order.submitted') {
        const m = /^(.*)-(\d+)$/.exec(e.order.clientOrderId);
        if (m) seqs.set(m[1], Math.max(seqs.get(m[1]) ?? 0, Number(m[2])));
      }
    }
  }
  return { started, initialCash, lastTs, orderEvents, tradingState, lastOrderSeq: (id) => seqs.get(id) ?? 0 };
}
