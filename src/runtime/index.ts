/** Running engines (paper now, live later): the same components as a backtest, journaled, against a venue session. */
export * from './paper-engine.ts';
export { readJournalHistory, type JournalHistory } from './journal-history.ts';
export * from './run-config.ts';
export * from './run-secrets.ts';
export * from './venue-connect.ts';
export * from './market-data.ts';
export type * from './engine-handle.ts';
export { describeOperator } from './engine-handle.ts';
export { EngineView } from './engine-view.ts';
export * from './alert-feed.ts';
export { loadExpectedPath } from './expected-path-file.ts';
export { JournalView, READ_ONLY } from './journal-view.ts';
export * from './run-config-ops.ts';
export * from './failover/index.ts';
export * from './backup-schedule.ts';
export * from './drill/index.ts';
