import { formatMoney, formatPrice, lotsToQuantity, moneyToNumber, type Instrument } from '../model/index.ts';
import { averagePrice, unrealizedPnl, type RoundTrip } from '../portfolio/index.ts';
import { computeMetrics, drawdownSeries } from './metrics/index.ts';
import { isoTime } from './iso-time.ts';
import type { BacktestRun } from './runner.ts';
import type { BacktestResult, FillRecord, PerformanceMetrics, TradeRecord } from './result.ts';

export const KEEL_VERSION = '0.1.0';

export interface ResultMeta {
  readonly strategyName: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly dataSource: string;
  readonly dataLayout: string;
  readonly dataWarnings: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly riskFreeRate?: number;
  /** Path of the risk limits file, or absent for the built-in defaults. */
  readonly riskConfig?: string;
}

const iso = isoTime;

/** The equity curve as the run recorded it: epoch ms, equity and drawdown per processed event. */
export interface EquityCurveColumns {
  readonly times: Float64Array;
  readonly equity: Float64Array;
  readonly drawdown: Float64Array;
}

/**
 * A result whose equity curve is still typed arrays: everything of `BacktestResult` but the curve, which
 * `expandResult` turns into its JSON lists and `writeResultJson` writes without building them.
 */
export interface CompactResult {
  readonly result: Omit<BacktestResult, 'equityCurve'>;
  readonly curve: EquityCurveColumns;
}

/**
 * Turn a finished run into the JSON result. Pure and deterministic: nothing here reads the wall clock, so
 * the same run always serialises to the same bytes.
 */
export function buildResult(run: BacktestRun, meta: ResultMeta): BacktestResult {
  return expandResult(buildCompactResult(run, meta));
}

/**
 * The result with the curve as lists (ISO times), in `BacktestResult`'s key order.
 *
 * @example
 * expandResult(buildCompactResult(run, meta)).equityCurve.time[0]; // '1995-01-03T00:00:00.000Z'
 */
export function expandResult(c: CompactResult): BacktestResult {
  const n = c.curve.times.length;
  const time = new Array<string>(n);
  for (let i = 0; i < n; i++) time[i] = iso(c.curve.times[i]);
  const { metrics, risk, ledger, ...head } = c.result;
  return { ...head, equityCurve: { time, equity: Array.from(c.curve.equity), drawdown: Array.from(c.curve.drawdown) }, metrics, risk, ledger };
}

/** `buildResult` without building the curve's lists: what `keel backtest --out` writes (`writeResultJson`). */
export function buildCompactResult(run: BacktestRun, meta: ResultMeta): CompactResult {
  const inst = run.spec.instrument;
  const { recorder, booker, portfolio } = run;
  const n = run.events;
  const times = recorder.times.subarray(0, n);
  const equity = recorder.equity.subarray(0, n);
  const trades = booker.trips.closed.map((t) => tradeRecord(inst, t));
  const initialCash = moneyToNumber(portfolio.initialCash);
  const performance = n > 0
    ? computeMetrics({
      times, equity, trades, exposedPoints: recorder.exposedPoints,
      tradedNotional: moneyToNumber(portfolio.turnoverNotional), riskFreeRate: meta.riskFreeRate ?? 0,
    })
    : emptyMetrics(initialCash);
  const risk = run.riskLog.record(run.risk, meta.riskConfig ?? null);
  const metrics = { ...performance, denials: risk.denialsTotal, breakerTrips: risk.breakerTrips.length };
  const dd = n > 0 ? drawdownSeries(equity) : new Float64Array(0);
  const orderTags = new Map<string, string | undefined>();
  for (const o of run.execution.orders.all()) orderTags.set(o.request.clientOrderId, o.request.tag);
  const fills: FillRecord[] = booker.fills.map((f) => ({
    time: iso(f.ts), clientOrderId: f.clientOrderId, side: f.side, price: Number(formatPrice(inst, f.price)),
    quantity: lotsToQuantity(inst, f.quantity), fee: moneyToNumber(f.fee), liquidity: f.liquidity, tag: orderTags.get(f.clientOrderId) ?? null,
  }));
  const openPositions = portfolio.allPositions().filter((p) => p.lots !== 0).map((p) => ({
    instrumentId: p.instrument.id, quantity: lotsToQuantity(p.instrument, p.lots), averagePrice: round(averagePrice(p), 10),
    lastPrice: p.lastPrice, unrealizedPnl: round(unrealizedPnl(p), 6),
  }));
  const finalEquity = portfolio.equityExact();
  const result: Omit<BacktestResult, 'equityCurve'> = {
    keel: { version: KEEL_VERSION, resultSchema: 1 },
    strategy: { name: meta.strategyName, params: meta.params },
    instrument: { id: inst.id, priceTick: inst.priceTick, lotSize: inst.lotSize, quoteCurrency: inst.quoteCurrency },
    data: {
      source: meta.dataSource, layout: meta.dataLayout, firstTime: n ? iso(times[0]) : '', lastTime: n ? iso(times[n - 1]) : '', warnings: meta.dataWarnings,
    },
    config: meta.config,
    initialCash,
    finalEquity: moneyToNumber(finalEquity),
    finalCash: moneyToNumber(portfolio.cash),
    bars: n,
    trades,
    openPositions,
    fills,
    orders: { ...booker.counts },
    metrics,
    risk,
    ledger: {
      cash: formatMoney(portfolio.cash, inst.quoteCurrency),
      equity: formatMoney(finalEquity, inst.quoteCurrency),
      realizedPnl: formatMoney(portfolio.realizedPnl(), inst.quoteCurrency),
      commissions: formatMoney(portfolio.commissions(), inst.quoteCurrency),
    },
  };
  return { result, curve: { times, equity, drawdown: dd } };
}

function tradeRecord(inst: Instrument, t: RoundTrip): TradeRecord {
  const entryQty = lotsToQuantity(inst, t.entryLots);
  const exitQty = lotsToQuantity(inst, t.exitLots);
  const entryNotional = moneyToNumber(t.entryNotional);
  const exitNotional = moneyToNumber(t.exitNotional);
  const pnl = moneyToNumber(t.realized - t.fees);
  return {
    side: t.side,
    entryTime: iso(t.entryTs),
    entryPrice: round(entryNotional / (entryQty * inst.multiplierNumber), 10),
    exitTime: iso(t.exitTs),
    exitPrice: round(exitNotional / (exitQty * inst.multiplierNumber), 10),
    quantity: lotsToQuantity(inst, t.maxLots),
    pnl,
    returnPct: entryNotional > 0 ? round(pnl / entryNotional, 12) : 0,
    commission: moneyToNumber(t.fees),
    bars: t.exitEvent - t.entryEvent,
  };
}

/** Round for presentation so float noise (45.340000000000003) does not leak into the JSON. */
function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function emptyMetrics(cash: number): PerformanceMetrics {
  return {
    totalReturn: 0, cagr: null, annualVolatility: null, sharpe: null, sortino: null, maxDrawdown: 0, maxDrawdownDurationDays: 0,
    maxDrawdownDurationBars: 0, calmar: null, winRate: null, profitFactor: null, averageWin: null, averageLoss: null,
    exposureTime: null, turnover: null, trades: 0, periodsPerYear: 252, riskFreeRate: 0, startEquity: cash, endEquity: cash,
  };
}
