/**
 * The HTML backtest report: `renderReport(result, prices)` turns a `BacktestResult` into one
 * self-contained, offline, deterministic HTML file.
 */
export { renderReport } from './render-report.ts';
export type { PriceSeries } from './chart-data.ts';
export { aggregateCandles, MAX_CANDLES, type Candles } from './downsample.ts';
// Building blocks other reports (optimisation, walk-forward) reuse.
export { pageHtml } from './page.ts';
export { escapeHtml, jsonForScript } from './escape.ts';
export { chartLibrarySource } from './chart-library.ts';
