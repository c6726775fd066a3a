import { formatMoney, ticksToPrice, type Money } from '../model/index.ts';
import { compareExecutions, type ExecutionComparison, type TradeComparison } from './compare-executions.ts';
import type { ExecutionSide, RecordedSession } from './execution-record.ts';
import { transactionCosts, type OrderCosts } from './transaction-costs.ts';

/** One step of the waterfall: benchmark PnL, the four effects, session PnL. */
export interface WaterfallStep {
  readonly step: string;
  /** Exact Money as a decimal string (the total for the first and last step, the change for the others). */
  readonly amount: string;
  readonly kind: 'total' | 'change';
}

/** The whole analysis, as the JSON file holds it (prices as decimals, Money as decimal strings). */
export interface PostTradeReport {
  readonly format: 'keel-post-trade';
  readonly version: 1;
  readonly journal: string;
  readonly sessionLabel: string;
  readonly benchmarkLabel: string;
  readonly instrument: string;
  readonly currency: string;
  readonly strategy: { readonly id: string; readonly version: string | undefined; readonly benchmarkVersion: string };
  readonly period: { readonly from: string; readonly to: string; readonly marketEvents: number };
  readonly markPrice: number;
  readonly pnl: { readonly benchmark: string; readonly session: string; readonly gap: string };
  readonly waterfall: readonly WaterfallStep[];
  readonly summary: {
    readonly matched: number; readonly missedSignals: number; readonly extra: number; readonly partialFills: number; readonly missedFills: number;
    readonly meanSlippageBps: number | null; readonly meanExtraDelayMs: number | null;
  };
  readonly trades: ReadonlyArray<Record<string, unknown>>;
  readonly costs: ReadonlyArray<Record<string, unknown>>;
}

/**
 * Compare a recorded session with its benchmark and build the report: the waterfall (benchmark PnL →
 * execution slippage → fees → missed trades → latency → session PnL), trade by trade matching and per-order
 * transaction costs. Deterministic: the same journal and strategy give the same bytes.
 *
 * @example const report = postTradeReport(session, backtest, { journal: 'run/journal.sqlite', benchmarkVersion }); report.waterfall
 */
export function postTradeReport(session: RecordedSession, benchmark: ExecutionSide, o: { journal: string; benchmarkVersion: string }): { report: PostTradeReport; comparison: ExecutionComparison; costs: OrderCosts[] } {
  const inst = session.instrument;
  const ccy = inst.quoteCurrency;
  const c = compareExecutions(inst, session.market, benchmark, session.side);
  const costs = transactionCosts(inst, session.market, session.side.orders);
  const money = (m: Money) => formatMoney(m, ccy);
  const price = (ticks: number | undefined) => (ticks === undefined ? null : round(ticksToPrice(inst, 1) * ticks, 8));
  const e = c.effects;
  const waterfall: WaterfallStep[] = [
    { step: `${benchmark.label} PnL`, amount: money(c.benchmarkPnl), kind: 'total' },
    { step: 'execution slippage', amount: money(e.executionSlippage), kind: 'change' },
    { step: 'fees', amount: money(e.fees), kind: 'change' },
    { step: 'missed trades', amount: money(e.missedTrades), kind: 'change' },
    { step: 'latency', amount: money(e.latency), kind: 'change' },
    { step: `${session.side.label} PnL`, amount: money(c.sessionPnl), kind: 'total' },
  ];
  const matched = c.trades.filter((t) => t.kind === 'matched');
  const slips = matched.map((t) => t.slippageBps).filter((x): x is number => x !== undefined);
  const delays = matched.map((t) => t.extraDelayMs).filter((x): x is number => x !== undefined);
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 4) : null);
  const partial = (t: TradeComparison) => t.session !== undefined && t.session.filled > 0 && t.session.filled < (t.benchmark?.filled ?? t.session.quantity);
  const report: PostTradeReport = {
    format: 'keel-post-trade', version: 1, journal: o.journal, sessionLabel: session.side.label, benchmarkLabel: benchmark.label,
    instrument: inst.id, currency: ccy,
    strategy: { id: session.strategyId, version: session.strategyVersion, benchmarkVersion: o.benchmarkVersion },
    period: { from: new Date(session.market[0].ts).toISOString(), to: new Date(session.market[session.market.length - 1].ts).toISOString(), marketEvents: session.market.length },
    markPrice: price(c.markPrice)!,
    pnl: { benchmark: money(c.benchmarkPnl), session: money(c.sessionPnl), gap: money(c.sessionPnl - c.benchmarkPnl) },
    waterfall,
    summary: {
      matched: matched.length, missedSignals: c.trades.filter((t) => t.kind === 'missed-signal').length, extra: c.trades.filter((t) => t.kind === 'extra').length,
      partialFills: c.trades.filter(partial).length,
      missedFills: matched.filter((t) => (t.benchmark?.filled ?? 0) > 0 && (t.session?.filled ?? 0) === 0).length,
      meanSlippageBps: mean(slips), meanExtraDelayMs: mean(delays),
    },
    trades: c.trades.map((t) => ({
      kind: t.kind, decidedAt: new Date(t.decidedAt).toISOString(), side: t.side, tag: t.tag ?? null,
      benchmark: t.benchmark ? { ...t.benchmark, avgPrice: price(t.benchmark.avgPrice), fee: money(t.benchmark.fee), firstFillAt: iso(t.benchmark.firstFillAt) } : null,
      session: t.session ? { ...t.session, avgPrice: price(t.session.avgPrice), fee: money(t.session.fee), firstFillAt: iso(t.session.firstFillAt) } : null,
      slippageBps: t.slippageBps === undefined ? null : round(t.slippageBps, 4), extraDelayMs: t.extraDelayMs ?? null,
      effects: { executionSlippage: money(t.effects.executionSlippage), fees: money(t.effects.fees), missedTrades: money(t.effects.missedTrades), latency: money(t.effects.latency) },
    })),
    costs: costs.map((k) => ({
      clientOrderId: k.clientOrderId, side: k.side, decidedAt: new Date(k.decidedAt).toISOString(), quantity: k.quantity, filled: k.filled,
      arrivalPrice: price(k.arrivalPrice), avgFillPrice: price(k.avgFillPrice), vwap: price(k.vwap),
      priceShortfallBps: r4(k.priceShortfallBps), feeBps: r4(k.feeBps), implementationShortfallBps: r4(k.implementationShortfallBps), vsVwapBps: r4(k.vsVwapBps), delayMs: k.delayMs ?? null,
    })),
  };
  return { report, comparison: c, costs };
}

function iso(ts: number | undefined): string | null {
  return ts === undefined ? null : new Date(ts).toISOString();
}
function r4(x: number | undefined): number | null {
  return x === undefined ? null : round(x, 4);
}
function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
