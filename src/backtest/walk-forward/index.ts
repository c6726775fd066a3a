/** Walk-forward analysis: windows, warm-up without trading, per-window optimisation, the stitched out-of-sample curve. */
export * from './windows.ts';
export * from './warm-up.ts';
export * from './walk-forward.ts';
export * from './report.ts';
