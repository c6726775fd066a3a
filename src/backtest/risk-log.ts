import { describeActor, type OrderEvent, type RiskEvent } from '../model/index.ts';
import type { ExecutionListener } from '../execution/index.ts';
import type { RiskEngine, RiskEventListener } from '../risk/index.ts';
import type { BreakerTripRecord, DenialRecord, KillSwitchRecord, RiskRecord, StateChangeRecord } from './result.ts';

/** How many denials a result lists one by one; the totals count all of them. */
export const DENIAL_LIST_LIMIT = 1000;

const iso = (ts: number): string => new Date(ts).toISOString();

/** Collects what the risk gate did during a run: denials, breaker trips, state changes, kill switches. */
export class RiskLog implements ExecutionListener, RiskEventListener {
  readonly denials: DenialRecord[] = [];
  denialsTotal = 0;
  readonly denialsByCheck = new Map<string, number>();
  readonly breakerTrips: BreakerTripRecord[] = [];
  readonly stateChanges: StateChangeRecord[] = [];
  readonly killSwitch: KillSwitchRecord[] = [];

  /** Denied orders and denied modifications of working orders both count as denials. */
  onOrderEvent(event: OrderEvent): void {
    if (event.type !== 'order.denied' && event.type !== 'order.update-denied') return;
    this.denialsTotal++;
    this.denialsByCheck.set(event.check, (this.denialsByCheck.get(event.check) ?? 0) + 1);
    if (this.denials.length < DENIAL_LIST_LIMIT) {
      this.denials.push({ time: iso(event.ts), clientOrderId: event.clientOrderId, check: event.check, reason: event.reason });
    }
  }

  onRiskEvent(e: RiskEvent): void {
    switch (e.type) {
      case 'risk.breaker-tripped':
        this.breakerTrips.push({ time: iso(e.ts), breaker: e.breaker, reason: e.reason, action: e.action });
        break;
      case 'risk.state-changed':
        this.stateChanges.push({ time: iso(e.ts), from: e.from, to: e.to, reason: e.reason, by: describeActor(e.by) });
        break;
      case 'risk.kill-switch':
        this.killSwitch.push({
          time: iso(e.ts), by: e.by, reason: e.reason, canceled: e.canceled.length, flattenOrders: e.flattenOrders.length, notFlattened: [...e.notFlattened],
        });
        break;
    }
  }

  record(risk: RiskEngine, configSource: string | null): RiskRecord {
    return {
      config: configSource,
      finalState: risk.tradingState,
      denialsTotal: this.denialsTotal,
      denialsByCheck: Object.fromEntries(this.denialsByCheck),
      denials: this.denials,
      breakerTrips: this.breakerTrips,
      stateChanges: this.stateChanges,
      killSwitch: this.killSwitch,
      listLimit: DENIAL_LIST_LIMIT,
    };
  }
}
