/**
 * Operations: running engines from outside. For now the control directory (kill switch, re-arm, status for
 * a running engine, and the persisted trading state); metrics, alerts, health and the leader lease follow.
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
