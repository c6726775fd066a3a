/**
 * The live data path: venue feeds → failover → per-event validation → bar aggregation → the kernel.
 * Synchronous and deterministic, driven by an injected clock and timers (docs/live-data.md).
 */
export type { LiveFeed, FeedEventHandler, FeedStatus, FeedStatusHandler } from './feed.ts';
export { ScriptedFeed } from './scripted-feed.ts';
export type { ScriptStep, ScriptedFeedOptions } from './scripted-feed.ts';
export { systemTimers } from './timers.ts';
export type { TimerScheduler } from './timers.ts';
export { ManualClock } from './manual-clock.ts';
export { alwaysOpen } from './live-status.ts';
export type { LiveStatusEvent, LiveStatusHandler, MarketHours } from './live-status.ts';
export {
  parseLiveDataConfig, parseValidatorConfig, parseFailoverConfig, parseBarConfig, parseBarInterval,
  liveDataConfigSchema, validatorConfigSchema, failoverConfigSchema, barConfigSchema, spikeConfigSchema,
} from './live-config.ts';
export type {
  LiveDataConfig, LiveDataConfigInput, ValidatorConfig, ValidatorConfigInput, SpikeConfig, FailoverConfig,
  FailoverConfigInput, BarConfig, BarConfigInput,
} from './live-config.ts';
export { LiveValidator } from './live-validator.ts';
export { LIVE_VALIDATOR_COUNTERS } from './verdict.ts';
export type { LiveCheckReason, Verdict, VerdictAction, LiveValidatorCounter, LiveValidatorCounters } from './verdict.ts';
export type {
  LiveValidatorOutput,
  LiveValidatorOptions, InstrumentHealth,
} from './live-validator.ts';
export { BarAggregator } from './bar-aggregator.ts';
export type { BarAggregatorOptions, BarAggregatorOutput, BarAggregatorCounters } from './bar-aggregator.ts';
export { FeedFailover } from './feed-failover.ts';
export type { FeedFailoverOptions, FeedFailoverOutput, FeedFailoverCounters, FeedHealth } from './feed-failover.ts';
export { LiveDataSource } from './live-data-source.ts';
export type { LiveDataSourceOptions, LiveDataHealth } from './live-data-source.ts';
