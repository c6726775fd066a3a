/** Backtests: assembly of the engine in backtest mode, sizing, results, metrics and the HTML report. */
export * from './result.ts';
export * from './sizing.ts';
export * from './engine-context.ts';
export * from './recorder.ts';
export * from './runner.ts';
export * from './build-result.ts';
export * from './metrics/index.ts';
export { renderReport } from './report/index.ts';
export { loadEquityCurve } from './equity-file.ts';
export { writeResultJson } from './result-json.ts';
export * from './engine-settings.ts';
