/**
 * Operations: running engines from outside. The control directory (kill switch, re-arm, status for a running
 * engine, and the persisted trading state), Prometheus metrics (`EngineMetrics`, docs/metrics.md) and
 * structured logs (`createLogger`, docs/logs.md); alerts, health and the leader lease follow.
 */
export type { ControlHandler, ControlStatus, RiskControls } from './control/control-handler.ts';
export { controlHandlerFor } from './control/control-handler.ts';
export type { ControlCommand, ControlAck } from './control/control-command.ts';
export { parseControlCommand } from './control/control-command.ts';
export type { ControlPaths, EngineInfo } from './control/control-dir.ts';
export { controlPaths, readEngineInfo, isProcessAlive } from './control/control-dir.ts';
export { ControlChannel } from './control/control-channel.ts';
export { ControlPoller, type Pollable } from './control/control-poller.ts';
export { FileTradingStateStore } from './control/file-trading-state-store.ts';
export { sendControlCommand, type SendOptions, type SendResult } from './control/send-command.ts';
export {
  EngineMetrics, type EngineMetricsOptions, type AlertCounters, type HistogramCounts, type Amount, type PositionSample, type PnlSample,
} from './metrics/engine-metrics.ts';
export { FixedHistogram } from './metrics/fixed-histogram.ts';
export { classifyReject, REJECT_CLASSES, type RejectClass } from './metrics/reject-reason.ts';
export { OPEN_STATUSES, FINAL_STATUSES } from './metrics/open-orders.ts';
export { parseExposition, sampleValue, type Sample } from './metrics/parse-exposition.ts';
export { createLogger, type LoggerOptions, type Logger } from './logs/create-logger.ts';
export { orderLogger, CORRELATION_ID } from './logs/order-logger.ts';
export { secretScrubber, REDACTED, MIN_SECRET_LENGTH } from './logs/secret-scrubber.ts';
export { DEFAULT_REDACT_PATHS } from './logs/redact-paths.ts';
export * from './alerts/index.ts';
export * from './clock/index.ts';
