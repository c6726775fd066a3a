import type { TradingState } from '../../model/index.ts';
import type { KillRequest, KillSwitchEvent } from '../../risk/index.ts';

/** The engine's trading state as an operator sees it. */
export interface ControlStatus {
  readonly state: TradingState;
  /** Why the state is what it is ("" while ACTIVE from the start). */
  readonly reason: string;
}

/**
 * What an operator can do to a running engine; the engine implements it (see `controlHandlerFor`). The same
 * port serves the control directory now and the HTTP API later.
 */
export interface ControlHandler {
  /** Pull the kill switch: HALTED first, then cancel every working order and optionally flatten. */
  kill(req: KillRequest): KillSwitchEvent;
  /** An operator's decision to trade again. Returns false when nothing changed (e.g. already ACTIVE). */
  rearm(who: string, reason: string): boolean;
  status(): ControlStatus;
}

/** The part of the risk engine the control port needs (typed structurally, so ops does not depend on its class). */
export interface RiskControls {
  activateKillSwitch(req: KillRequest): KillSwitchEvent;
  rearm(who: string, reason: string): boolean;
  readonly tradingState: TradingState;
  readonly stateReason: string;
}

/**
 * The control port over the risk engine.
 *
 * @example
 * const channel = new ControlChannel(dir, controlHandlerFor(riskEngine), { description: 'backtest sma-cross' });
 */
export function controlHandlerFor(risk: RiskControls): ControlHandler {
  return {
    kill: (req) => risk.activateKillSwitch(req),
    rearm: (who, reason) => risk.rearm(who, reason),
    status: () => ({ state: risk.tradingState, reason: risk.stateReason }),
  };
}
