/**
 * Post-trade analysis (DESIGN.md roadmap step 9): a paper or live session replayed through a backtest of the
 * same strategy version on the market data it recorded, matched trade by trade, its PnL gap explained
 * (slippage, fees, missed trades, latency) and its transaction costs measured.
 */
export * from './execution-record.ts';
export * from './read-session.ts';
export * from './replay-backtest.ts';
export * from './compare-executions.ts';
export * from './transaction-costs.ts';
export * from './post-trade-report.ts';
export * from './report-html.ts';
