import { describeActor, type RiskActor, type RiskEvent, type TradingState } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';

/** Receives every risk event: state changes, breaker trips, kill-switch activations. */
export interface RiskEventListener {
  onRiskEvent(event: RiskEvent): void;
}

/** The trading state as persisted across restarts. */
export interface PersistedTradingState {
  readonly state: TradingState;
  readonly reason: string;
  /** Who set it, as text ("operator alice", "breaker daily-loss"). */
  readonly by: string;
  readonly ts: number;
}

/**
 * Where the trading state survives a restart. A file in the control directory for now; the journal
 * implements it when it lands (a HALTED engine must come back HALTED).
 */
export interface TradingStateStore {
  load(): PersistedTradingState | undefined;
  save(state: PersistedTradingState): void;
}

const SEVERITY: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/**
 * ACTIVE → REDUCING → HALTED. Automatic actors (breakers, the kill switch) can only make it stricter; only
 * an operator loosens it. Every change is a `risk.state-changed` event with its reason and actor.
 */
export class TradingStateMachine {
  private current: TradingState = 'ACTIVE';
  private lastReason = '';
  private readonly listeners: RiskEventListener[] = [];
  private readonly clock: Clock;
  private store: TradingStateStore | undefined;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get state(): TradingState {
    return this.current;
  }

  /** Why the state is what it is ("" while ACTIVE from the start). */
  get reason(): string {
    return this.lastReason;
  }

  addListener(listener: RiskEventListener): void {
    this.listeners.push(listener);
  }

  /** Publish a risk event to every listener (breakers and the kill switch use this too). */
  emit(event: RiskEvent): void {
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i].onRiskEvent(event);
  }

  /**
   * Persist every change from now on, and take over a persisted non-ACTIVE state (a halt survives restarts).
   * Returns the restored state, if any.
   */
  attachStore(store: TradingStateStore, source: string): PersistedTradingState | undefined {
    this.store = store;
    const saved = store.load();
    if (saved && saved.state !== 'ACTIVE' && SEVERITY[saved.state] > SEVERITY[this.current]) {
      this.change(saved.state, { kind: 'restart', source }, `${saved.reason} (set by ${saved.by}, restored on start)`);
    }
    return saved;
  }

  /** Move to a stricter state only (breakers, kill switch). Returns true when the state changed. */
  escalate(to: TradingState, by: RiskActor, reason: string): boolean {
    if (SEVERITY[to] <= SEVERITY[this.current]) return false;
    this.change(to, by, reason);
    return true;
  }

  /** An operator's decision: any state, including back to ACTIVE. */
  set(to: TradingState, who: string, reason: string): boolean {
    if (to === this.current) return false;
    this.change(to, { kind: 'operator', who }, reason);
    return true;
  }

  private change(to: TradingState, by: RiskActor, reason: string): void {
    const from = this.current;
    this.current = to;
    this.lastReason = reason;
    const ts = this.clock.now();
    this.store?.save({ state: to, reason, by: describeActor(by), ts });
    this.emit({ type: 'risk.state-changed', ts, from, to, reason, by });
  }
}
