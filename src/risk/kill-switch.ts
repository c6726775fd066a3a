import type { RiskEvent } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { TradingStateMachine } from './trading-state.ts';

/** What the kill switch needs from the execution side; the execution engine implements it. */
export interface KillTarget {
  /** Hand a cancel for every working order to its venue; returns their client order ids. */
  cancelAllOrders(reason: string): string[];
  /**
   * Send market orders that close every position, through the risk gate in flatten mode (instrument rules
   * only). Returns the client order ids sent and a line per position that could not be flattened.
   */
  flattenAllPositions(tag: string): { readonly submitted: string[]; readonly notFlattened: string[] };
}

export type KillSwitchEvent = Extract<RiskEvent, { type: 'risk.kill-switch' }>;

export interface KillRequest {
  /** Who pulled it ("operator alice", "strategy sma-cross", "breaker daily-loss"). */
  readonly by: string;
  readonly reason: string;
  /** Also close every position with market orders (default: the config's `killSwitch.flatten`). */
  readonly flatten?: boolean;
}

/**
 * Cancel everything, optionally flatten, and stay HALTED until an operator re-arms. HALTED is set first, so
 * nothing a strategy does in reaction to the cancels can open risk again.
 */
export class KillSwitch {
  private target: KillTarget | undefined;
  /**
   * Set by a kill with flatten, until every position is flat and nothing is working (or an operator
   * re-arms). An order in flight when the switch was pulled can still fill afterwards; the risk engine
   * then calls `followUp` to close what that fill opened.
   */
  flattening = false;
  private readonly state: TradingStateMachine;
  private readonly clock: Clock;
  private readonly flattenByDefault: boolean;

  constructor(o: { state: TradingStateMachine; clock: Clock; flattenByDefault: boolean }) {
    this.state = o.state;
    this.clock = o.clock;
    this.flattenByDefault = o.flattenByDefault;
  }

  connect(target: KillTarget): void {
    this.target = target;
  }

  activate(req: KillRequest): KillSwitchEvent {
    if (!this.target) throw new Error('kill switch has no execution engine connected');
    const flatten = req.flatten ?? this.flattenByDefault;
    this.state.escalate('HALTED', { kind: 'kill-switch', who: req.by }, `kill switch: ${req.reason}`);
    const canceled = this.target.cancelAllOrders(`kill switch: ${req.reason}`);
    const flat = flatten ? this.target.flattenAllPositions('kill-switch') : { submitted: [], notFlattened: [] };
    if (flatten) this.flattening = true;
    const event: KillSwitchEvent = {
      type: 'risk.kill-switch', ts: this.clock.now(), by: req.by, reason: req.reason,
      canceled, flattenOrders: flat.submitted, notFlattened: flat.notFlattened,
    };
    this.state.emit(event);
    return event;
  }

  /** Flatten again what late fills left open (the risk engine restricts the plan to quiet instruments). */
  followUp(): void {
    if (this.flattening && this.target) this.target.flattenAllPositions('kill-switch');
  }
}
