import {
  KeelError, formatMoney, formatQuantity, lotsToQuantity,
  type Fill, type Instrument, type MarketEvent, type OrderEvent, type RiskEvent,
} from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { RiskEngine } from '../risk/index.ts';
import type { ExecutionEngine, ManagedOrder } from '../execution/index.ts';
import { averagePrice, unrealizedPnl, type Portfolio } from '../portfolio/index.ts';
import type { JournalWriter, Journal } from '../store/index.ts';
import type { RolloutControl } from './rollout-control.ts';
import { AUDIT_OK, auditFailed, type AuditAction, type AuditDetails, type AuditRecorder } from '../security/index.ts';
import {
  describeOperator,
  type ActionResult, type AlertView, type EngineHandle, type EngineStatus, type EquityPoint, type FillView, type Operator, type OrderView, type PnlView,
  type PositionView, type RiskView, type StreamEvent, type HaStatus,
} from './engine-handle.ts';
import { fillView, orderView } from './views.ts';
import { withRunbook } from '../ops/index.ts';
import { planLimitChange } from './limit-change.ts';

export interface EngineViewParts {
  readonly account: string;
  readonly mode: 'paper' | 'live';
  readonly venueName: string;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly clock: Clock;
  readonly risk: RiskEngine;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly fills: readonly Fill[];
  readonly writer: JournalWriter;
  readonly journal: Journal;
  readonly strategy: { readonly id: string; readonly version: string; readonly params: Readonly<Record<string, unknown>> };
  readonly riskText: string | undefined;
  /** Where operator actions are recorded (security/audit); without one they are only journaled. */
  readonly audit?: AuditRecorder;
}

/** Equity samples kept for the chart; beyond this the oldest half is thinned to every other point. */
const MAX_SAMPLES = 20_000;
const DAY_MS = 86_400_000;

/**
 * The running engine as the API, dashboard and alerts see it (EngineHandle): views computed from the
 * engine's own books on request, an equity series sampled per market event, and operator actions that go
 * through the same paths as everything else (the kill switch, the OMS), journaled with who asked.
 */
export class EngineView implements EngineHandle {
  private readonly p: EngineViewParts;
  private readonly startedAt = Date.now();
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly alertList: AlertView[] = [];
  private readonly denials = new Map<string, number>();
  private times: number[] = [];
  private equities: number[] = [];
  private peak = -Infinity;
  private dayStart = NaN;
  private dayStartEquity = NaN;
  private marketEvents = 0;
  private lastMarketAt: number | undefined;
  private venueUp = true;
  private paused = false;
  private alertSeq = 0;
  /** Set by the engine when it takes rollout commands. */
  rollout: RolloutControl | undefined;
  private haStatus: (() => HaStatus | undefined) | undefined;
  /** The risk section in force, as YAML: the config's, or the last live change. */
  private limitsText: string | undefined;

  constructor(parts: EngineViewParts) {
    this.p = parts;
    this.limitsText = parts.riskText;
  }

  /** Where the active/standby status comes from (the lease keeper); shown by /api/status and the dashboard. */
  setHaStatus(source: () => HaStatus | undefined): void {
    this.haStatus = source;
  }

  /** The strategy is paused by an operator: it hears no market data (its working orders stay). */
  get strategyPaused(): boolean {
    return this.paused;
  }

  // Feeds from the engine.

  onMarketEvent(e: MarketEvent): void {
    this.marketEvents++;
    this.lastMarketAt = Date.now();
    const equity = this.p.portfolio.equity();
    if (equity > this.peak) this.peak = equity;
    const day = Math.floor(e.ts / DAY_MS);
    if (day !== this.dayStart) { this.dayStart = day; this.dayStartEquity = equity; }
    if (this.times.length >= MAX_SAMPLES) {
      this.times = this.times.filter((_, i) => i % 2 === 0);
      this.equities = this.equities.filter((_, i) => i % 2 === 0);
    }
    this.times.push(e.ts);
    this.equities.push(equity);
  }

  onOrderEvent(e: OrderEvent): void {
    if (e.type === 'order.denied') this.denials.set(e.check, (this.denials.get(e.check) ?? 0) + 1);
    this.emit({ kind: 'order', ts: e.ts, type: e.type, payload: e });
  }

  onRiskEvent(e: RiskEvent): void {
    this.emit({ kind: 'risk', ts: e.ts, type: e.type, payload: e });
    if (e.type === 'risk.breaker-tripped') this.addAlert('critical', 'breaker', `breaker ${e.breaker} tripped`, e.reason);
    else if (e.type === 'risk.kill-switch') this.addAlert('critical', 'kill-switch', `kill switch by ${e.by}`, e.reason);
  }

  onVenueConnection(up: boolean, reason: string): void {
    this.venueUp = up;
    if (!up) this.addAlert('critical', 'venue', `${this.p.venueName} disconnected`, reason);
  }

  /** An alert raised elsewhere in the engine (reconciliation), as journaled. */
  addAlert(severity: AlertView['severity'], source: string, title: string, detail: string): void {
    const alert: AlertView = { id: `a${++this.alertSeq}`, ts: this.p.clock.now(), severity, source, title, detail: withRunbook(source, detail), resolved: false };
    this.alertList.push(alert);
    if (this.alertList.length > 1000) this.alertList.shift();
    this.emit({ kind: 'alert', ts: alert.ts, alert });
  }

  // EngineHandle: views.

  status(): EngineStatus {
    const { risk, writer, journal, strategy } = this.p;
    const ha = this.haStatus?.();
    return {
      account: this.p.account, mode: this.p.mode, venue: this.p.venueName, venueConnected: this.venueUp,
      tradingState: risk.tradingState, stateReason: risk.stateReason, startedAt: this.startedAt, lastEventTs: this.p.clock.now(),
      marketEvents: this.marketEvents, lastMarketEventAt: this.lastMarketAt,
      strategies: [{ id: strategy.id, version: strategy.version, params: strategy.params, paused: this.paused }],
      journal: { kind: journal.kind, location: journal.location, pendingAppends: writer.pending, healthy: !writer.hasFailed },
      ...(ha === undefined ? {} : { ha }),
    };
  }

  positions(): PositionView[] {
    const ccy = this.p.portfolio.currency;
    return this.p.portfolio.allPositions().filter((x) => x.lots !== 0 || x.realizedPnl !== 0n).map((x) => {
      const inst = x.instrument;
      const avg = averagePrice(x);
      const last = Number.isNaN(x.lastPrice) ? null : x.lastPrice;
      return {
        instrument: inst.id, quantity: formatQuantity(inst, x.lots),
        averagePrice: Number.isNaN(avg) ? null : avg, lastPrice: last,
        marketValue: last === null ? 0 : lotsToQuantity(inst, x.lots) * last * inst.multiplierNumber,
        unrealizedPnl: unrealizedPnl(x), realizedPnl: formatMoney(x.realizedPnl, ccy),
      };
    });
  }

  orders(filter: { openOnly?: boolean; limit?: number } = {}): OrderView[] {
    const source = filter.openOnly ? [...this.p.execution.orders.openOrders()] : [...this.p.execution.orders.all()];
    const list = source.slice(-(filter.limit ?? 200));
    return list.reverse().map((o) => this.orderView(o));
  }

  fills(limit = 100): FillView[] {
    return this.p.fills.slice(-limit).reverse().map((f) => fillView(this.p.instruments.get(f.instrumentId)!, f, this.p.portfolio.currency));
  }


  pnl(): PnlView {
    const pf = this.p.portfolio;
    const equity = pf.equity();
    const peak = Math.max(this.peak, equity);
    const realized = pf.realizedPnl();
    return {
      currency: pf.currency, cash: formatMoney(pf.cash, pf.currency), equity, realized: formatMoney(realized, pf.currency),
      unrealized: pf.unrealizedPnl(), daily: Number.isNaN(this.dayStartEquity) ? 0 : equity - this.dayStartEquity,
      commissions: formatMoney(pf.commissions(), pf.currency), peakEquity: peak, drawdown: peak - equity,
      drawdownPct: peak > 0 ? ((peak - equity) / peak) * 100 : 0,
    };
  }

  equityHistory(maxPoints = 1000): EquityPoint[] {
    const n = this.times.length;
    const step = Math.max(1, Math.ceil(n / maxPoints));
    const out: EquityPoint[] = [];
    let peak = -Infinity;
    for (let i = 0; i < n; i++) {
      const eq = this.equities[i];
      if (eq > peak) peak = eq;
      if (i % step === 0 || i === n - 1) out.push({ ts: this.times[i], equity: eq, drawdownPct: peak > 0 ? ((peak - eq) / peak) * 100 : 0 });
    }
    return out;
  }

  risk(): RiskView {
    const { risk } = this.p;
    return {
      state: risk.tradingState, reason: risk.stateReason, limits: this.limitsText,
      breakers: risk.breakers.list().map((b) => ({ name: b.name, action: b.action, tripped: b.tripped, detail: b.tripped ? risk.stateReason : 'armed', usedPct: b.usedPct ?? null })),
      denials: [...this.denials].map(([check, count]) => ({ check, count })),
    };
  }

  alerts(limit = 100): AlertView[] {
    return this.alertList.slice(-limit).reverse();
  }

  // EngineHandle: actions.

  cancelOrder(clientOrderId: string, by: Operator): ActionResult {
    const o = this.p.execution.orders.get(clientOrderId);
    if (o === undefined) return this.audited('cancel', by, clientOrderId, {}, { ok: false, message: `order ${clientOrderId} is not known to this engine` });
    if (!this.p.execution.orders.isOpen(o)) return this.audited('cancel', by, clientOrderId, {}, { ok: false, message: `order ${clientOrderId} is ${o.status}; nothing to cancel` });
    this.journalAction('cancel-order', by, { clientOrderId });
    this.p.execution.cancel(clientOrderId);
    return this.audited('cancel', by, clientOrderId, {}, { ok: true, message: `cancel of ${clientOrderId} sent` });
  }

  cancelAll(by: Operator): ActionResult {
    this.journalAction('cancel-all', by, {});
    const ids = this.p.execution.cancelAllOrders(`cancel all by ${describeOperator(by)}`);
    return this.audited('cancel-all', by, undefined, { canceled: ids.length }, { ok: true, message: ids.length === 0 ? 'no working orders' : `cancels sent for ${ids.length} order(s)` });
  }

  killSwitch(o: { flatten: boolean; reason: string; by: Operator }): ActionResult {
    const details = { flatten: o.flatten, reason: o.reason };
    if (o.reason.trim() === '') return this.audited('kill', o.by, undefined, details, { ok: false, message: 'a reason is required for the kill switch' });
    this.journalAction('kill-switch', o.by, details);
    const e = this.p.risk.activateKillSwitch({ by: describeOperator(o.by), reason: o.reason, flatten: o.flatten });
    return this.audited('kill', o.by, undefined, { ...details, canceled: e.canceled.length, flattenOrders: e.flattenOrders.length },
      { ok: true, message: `HALTED: ${e.canceled.length} cancel(s) sent${o.flatten ? `, ${e.flattenOrders.length} flatten order(s)` : ''}` });
  }

  rearm(o: { reason: string; by: Operator }): ActionResult {
    const details = { reason: o.reason };
    if (o.reason.trim() === '') return this.audited('rearm', o.by, undefined, details, { ok: false, message: 'a reason is required to re-arm' });
    this.journalAction('rearm', o.by, details);
    const changed = this.p.risk.rearm(describeOperator(o.by), o.reason);
    return this.audited('rearm', o.by, undefined, details, changed ? { ok: true, message: 'ACTIVE: breakers re-armed' } : { ok: false, message: 'already ACTIVE' });
  }

  changeLimits(o: { risk: unknown; reason: string; by: Operator }): ActionResult {
    const details: AuditDetails = { reason: o.reason };
    if (o.reason.trim() === '') return this.audited('limits.change', o.by, undefined, details, { ok: false, message: 'a reason is required to change limits' });
    const plan = planLimitChange(this.limitsText, o.risk);
    if (!plan.ok) return this.audited('limits.change', o.by, undefined, details, { ok: false, message: plan.message });
    if (plan.changed.length === 0) return this.audited('limits.change', o.by, undefined, details, { ok: false, message: 'these are the limits in force already; nothing changed' });
    try {
      this.p.risk.changeLimits(plan.config);
    } catch (err) {
      return this.audited('limits.change', o.by, undefined, details, { ok: false, message: err instanceof KeelError ? err.message : String(err) });
    }
    const change = { ...details, changed: plan.changed, from: this.limitsText ?? null, to: plan.text };
    this.journalAction('change-limits', o.by, change);
    this.limitsText = plan.text;
    return this.audited('limits.change', o.by, undefined, change, { ok: true, message: `limits changed (${plan.changed.join(', ')}); in force for this run: put them in keel.yaml to keep them after a restart` });
  }

  pauseStrategy(strategyId: string, by: Operator): ActionResult {
    if (strategyId !== this.p.strategy.id) return this.audited('pause', by, strategyId, {}, { ok: false, message: `no strategy ${strategyId} runs here` });
    if (this.paused) return this.audited('pause', by, strategyId, {}, { ok: false, message: `${strategyId} is already paused` });
    this.journalAction('pause-strategy', by, { strategyId });
    this.paused = true;
    return this.audited('pause', by, strategyId, {}, { ok: true, message: `${strategyId} paused: it hears no market data; its working orders stay` });
  }

  resumeStrategy(strategyId: string, by: Operator): ActionResult {
    if (strategyId !== this.p.strategy.id) return this.audited('resume', by, strategyId, {}, { ok: false, message: `no strategy ${strategyId} runs here` });
    if (!this.paused) return this.audited('resume', by, strategyId, {}, { ok: false, message: `${strategyId} is not paused` });
    this.journalAction('resume-strategy', by, { strategyId });
    this.paused = false;
    return this.audited('resume', by, strategyId, {}, { ok: true, message: `${strategyId} resumed` });
  }

  subscribe(listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private emit(e: StreamEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed socket) must never stop the engine.
      }
    }
  }

  /** Who did what, journaled before it is done (the journal replays it; the audit trail records the outcome). */
  private journalAction(action: string, by: Operator, details: Record<string, unknown>): void {
    this.p.writer.recordEvent({ ts: this.p.clock.now(), stream: { account: this.p.account }, type: 'operator.action', payload: { action, actor: describeOperator(by), ...details } });
  }

  /**
   * Every operator action, done or refused, goes to the audit trail here, the one place all callers (API,
   * dashboard, control directory, shutdown) pass through. The recorder writes after this turn of the event
   * loop and never throws: the action's answer does not wait for the trail.
   */
  private audited(action: AuditAction, by: Operator, target: string | undefined, details: AuditDetails, result: ActionResult): ActionResult {
    this.p.audit?.record({
      actor: by.actor, origin: by.origin, action, ...(target === undefined ? {} : { target }), details,
      result: result.ok ? AUDIT_OK : auditFailed(result.message),
    });
    return result;
  }

  private orderView(o: ManagedOrder): OrderView {
    return orderView(this.p.instruments.get(o.request.instrumentId)!, o.request, { status: o.status, filledLots: o.filledLots, reason: o.reason ?? null });
  }

}
