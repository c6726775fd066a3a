/**
 * Parameter optimisation: parameter spaces and constraints, grid / random / TPE search, trials through the
 * real engine, local worker-thread pools, the results table and the overfitting diagnostics of a sweep.
 * (The job-queue transport is `backtest/queue/`, imported only by the commands that use it.)
 */
export * from './param-space.ts';
export * from './constraint.ts';
export * from './objective.ts';
export * from './trial.ts';
export * from './executor.ts';
export * from './local-pool.ts';
export * from './series-buffer.ts';
export * from './sweep.ts';
export * from './diagnose.ts';
export * from './results-table.ts';
export { createSearch, describeSpace, type Search, type SearchKind, type Observation } from './search/search.ts';
export { TPE_BATCH, TPE_STARTUP } from './search/tpe.ts';
export * from './report/index.ts';
