import type { MarketEvent } from '../model/index.ts';
import { runBacktest, type BacktestSpec } from '../backtest/index.ts';
import type { ExecutedOrder, ExecutionSide, RecordedSession } from './execution-record.ts';

/** What the backtest needs beyond the recorded session: the strategy and the run's settings. */
export type ReplaySpec = Pick<BacktestSpec, 'strategyClass' | 'params' | 'sizing' | 'fees' | 'risk' | 'slippage'>;

/**
 * Run the same strategy version and parameters through a backtest of exactly the market events the engine
 * recorded: the benchmark a live or paper session is judged against (fills at the sim's model: market orders
 * at the next bar's open, no latency).
 *
 * @example const benchmark = replayBacktest(session, { strategyClass, params, sizing, fees });
 */
export function replayBacktest(session: RecordedSession, spec: ReplaySpec): ExecutionSide {
  const events: MarketEvent[] = session.market.map((e) => (e.instrumentId === session.instrument.id ? e : { ...e, instrumentId: session.instrument.id }));
  const run = runBacktest({ ...spec, strategyId: session.strategyId, instrument: session.instrument, events, initialCash: session.initialCash });
  const fillsByOrder = new Map<string, ExecutedOrder['fills'][number][]>();
  for (const f of run.booker.fills) {
    const list = fillsByOrder.get(f.clientOrderId) ?? [];
    list.push({ ts: f.ts, quantity: f.quantity, price: f.price, fee: f.fee, decisionPrice: f.decisionPrice });
    fillsByOrder.set(f.clientOrderId, list);
  }
  const orders: ExecutedOrder[] = [];
  for (const o of run.execution.orders.all()) {
    const r = o.request;
    if (r.strategyId !== session.strategyId) continue;
    orders.push({
      clientOrderId: r.clientOrderId, side: r.side, type: r.type, quantity: r.quantity, createdAt: r.createdAt, tag: r.tag,
      status: o.status, reason: o.reason, fills: fillsByOrder.get(r.clientOrderId) ?? [],
    });
  }
  return { label: 'backtest', orders };
}
