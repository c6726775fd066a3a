/**
 * The data the report's charts draw, prepared in Node so the page only has to hand it to
 * lightweight-charts: UTC-second times, downsampled series, trade and risk markers, trading-state spans.
 * Embedded in the page as JSON.
 */
import type { BacktestResult } from '../result.ts';
import { aggregateCandles, bucketStarts, MAX_CANDLES, MAX_LINE_POINTS, reduceBuckets, type Candles } from './downsample.ts';
import { tradeMarkers, type TradeMarker } from './markers.ts';
import { riskMarkers, tradingStateSpans, type RiskMarker, type TradingStateSpans } from './risk-markers.ts';
import { detectTimeScale, isoToMs, type TimeScale } from './time.ts';

/** OHLC price series of the instrument, epoch-millisecond times, one entry per bar. */
export interface PriceSeries {
  readonly time: readonly number[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
}

export interface ChartData {
  readonly scale: TimeScale;
  /** Shown as the price chart's watermark. */
  readonly instrument: string;
  /** The instrument's price increment, e.g. '0.01'; sets the decimals on the price axis. */
  readonly priceTick: string;
  readonly initialCash: number;
  /** Equity and drawdown share one time axis (UTC seconds) so their charts can sync by logical index. */
  readonly curve: { readonly time: number[]; readonly equity: number[]; readonly drawdownPct: number[] };
  readonly candles: Candles;
  /** Source bars per candle (1 when not aggregated), shown under the price chart. */
  readonly barsPerCandle: number;
  readonly markers: TradeMarker[];
  /** Breaker trips, kill switches and operator state changes, drawn on the equity chart. */
  readonly riskMarkers: RiskMarker[];
  /** Trading state over the curve; the equity chart shades REDUCING and HALTED periods. */
  readonly tradingStates: TradingStateSpans;
}

/**
 * Prepares the chart payload from a result and the instrument's prices.
 *
 * @example
 * const data = chartData(result, prices);
 * data.candles.time.length <= 5000; // true
 */
export function chartData(result: BacktestResult, prices: PriceSeries, limits = { candles: MAX_CANDLES, linePoints: MAX_LINE_POINTS }): ChartData {
  assertAligned(prices);
  const curveMs = result.equityCurve.time.map(isoToMs);
  const starts = bucketStarts(curveMs, limits.linePoints);
  const candles = aggregateCandles(prices, limits.candles);
  const curveTime = starts.map((i) => Math.floor(curveMs[i] / 1000));
  return {
    scale: detectTimeScale(prices.time.length > 1 ? prices.time : curveMs),
    instrument: result.instrument.id,
    priceTick: result.instrument.priceTick,
    initialCash: result.initialCash,
    curve: {
      time: curveTime,
      // Cents and basis points of a percent are all a chart can show; rounding halves the JSON.
      equity: reduceBuckets(result.equityCurve.equity, starts, 'last').map((v) => round(v, 2)),
      drawdownPct: reduceBuckets(result.equityCurve.drawdown, starts, 'min').map((v) => round(v * 100, 4)),
    },
    candles,
    barsPerCandle: candles.time.length === 0 ? 1 : Math.ceil(prices.time.length / candles.time.length),
    markers: tradeMarkers(result.trades, result.fills, result.openPositions.length > 0, candles.time),
    riskMarkers: riskMarkers(result.risk, curveTime),
    tradingStates: tradingStateSpans(result.risk, curveTime),
  };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function assertAligned(p: PriceSeries): void {
  const n = p.time.length;
  if (p.open.length !== n || p.high.length !== n || p.low.length !== n || p.close.length !== n) {
    throw new Error(`report: price arrays differ in length (time ${n}, open ${p.open.length}, high ${p.high.length}, low ${p.low.length}, close ${p.close.length})`);
  }
}
