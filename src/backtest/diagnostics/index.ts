/** Overfitting diagnostics: deflated Sharpe ratio, probability of backtest overfitting (CSCV), parameter stability, lookahead check. */
export * from './normal.ts';
export * from './deflated-sharpe.ts';
export * from './pbo.ts';
export * from './return-moments.ts';
export * from './stability.ts';
export * from './lookahead.ts';
