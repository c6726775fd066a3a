/** Performance metrics of a backtest or of any equity curve: returns, risk ratios, drawdowns, trade stats. */
export { computeMetrics } from './compute.ts';
export type { MetricsInput } from './compute.ts';
export { inferPeriodsPerYear } from './periods.ts';
export { drawdownSeries } from './drawdown.ts';
