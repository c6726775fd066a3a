import { KeelError, lotsToQuantity, type Instrument, type IntentSummary, type MarketEvent, type Money, type OrderEvent, type RolloutStageEvent, type ShadowDecisionEvent, type StrategyIdentity, type StrategyIdentityEvent, type StrategyRole } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { ExecutionEngine, ManagedOrder } from '../execution/index.ts';
import type { NewJournalEvent } from '../store/index.ts';
import type { StrategyClass, StrategyLog } from '../strategy/index.ts';
import type { RiskConfig } from '../risk/index.ts';
import type { Sizing } from '../backtest/index.ts';
import type { Portfolio } from '../portfolio/index.ts';
import type { FeeModel } from '../venues/index.ts';
import { nextRolloutState, type RolloutCommand, type RolloutState } from './rollout-state.ts';
import { ShadowBook } from './shadow-book.ts';
import { CanaryRunner } from './canary.ts';
import type { RolloutSettings } from './rollout-settings.ts';

/** A loaded candidate: its class, resolved parameters and identity (the CLI's loader builds it). */
export interface LoadedCandidate {
  readonly cls: StrategyClass;
  readonly params: Readonly<Record<string, unknown>>;
  readonly identity: StrategyIdentity;
}

export interface RolloutParts {
  readonly account: string;
  readonly instrument: Instrument;
  readonly clock: Clock;
  readonly execution: ExecutionEngine;
  readonly record: (event: NewJournalEvent) => void;
  readonly cash: () => Money;
  /** The account's books, which the candidate trades on once fully rolled out. */
  readonly portfolio: Portfolio;
  readonly sizing: Sizing;
  readonly fees?: FeeModel;
  readonly risk?: RiskConfig;
  readonly log: StrategyLog;
  readonly live: StrategyIdentity;
  readonly lastOrderSeq: (prefix: string) => number;
  /** At `full`: the previous live version stops hearing market data (its working orders stay). */
  readonly retireLive: () => void;
  readonly settings: RolloutSettings;
}

/** What the API and dashboard show of a rollout. */
export interface RolloutView {
  readonly stage: RolloutState['stage'];
  readonly live: { readonly strategyId: string; readonly versionId: string };
  readonly candidate: { readonly strategyId: string; readonly versionId: string; readonly strategy: string; readonly params: Readonly<Record<string, unknown>> } | null;
  readonly since: number | null;
  readonly fraction: number | null;
  readonly shadow: { readonly decisions: number; readonly agreed: number; readonly agreementPct: number | null; readonly simulatedLots: number; readonly recent: readonly ShadowDecisionEvent[] } | null;
  readonly canary: { readonly lots: number; readonly loss: number; readonly maxLoss: number | null } | null;
  readonly history: readonly RolloutStageEvent[];
}

/**
 * The staged rollout of a new strategy version inside a running engine (docs/lifecycle.md): shadow beside the
 * live version (orders simulated, never sent, compared with the live ones), canary with a fraction of the
 * size and its own loss budget, then full; rollback from shadow or canary. Every step is journaled
 * (`rollout.stage-changed`, `strategy.identity`), every shadow order (`shadow.order`) and decision
 * (`shadow.decision`) too.
 */
export class RolloutManager {
  private state: RolloutState;
  private readonly p: RolloutParts;
  private candidate: LoadedCandidate | undefined;
  private shadow: ShadowBook | undefined;
  private canary: CanaryRunner | undefined;
  private liveIntents: IntentSummary[] = [];
  private shadowIntents: IntentSummary[] = [];
  private decisions = 0;
  private agreed = 0;
  private readonly recent: ShadowDecisionEvent[] = [];
  private readonly history: RolloutStageEvent[] = [];
  /** Strategy id → version id of the candidate's orders, for the journal's version column. */
  private readonly versions = new Map<string, string>();

  constructor(p: RolloutParts) {
    this.p = p;
    this.state = { stage: 'idle', current: p.live.versionId };
    p.execution.addListener({
      onOrderEvent: (e, order) => {
        if (e.type === 'order.submitted' && order.request.strategyId === this.liveId) this.liveIntents.push(this.intent(order));
      },
    });
  }

  get stage(): RolloutState['stage'] {
    return this.state.stage;
  }

  /** The strategy id the live version's orders carry (the candidate's, once fully rolled out). */
  private get liveId(): string {
    return this.state.stage === 'full' ? this.canaryId : this.p.live.strategyId;
  }

  private get shadowId(): string { return `${this.p.live.strategyId}-shadow`; }
  private get canaryId(): string { return `${this.p.live.strategyId}-canary`; }

  /** The version id journaled with the orders of `strategyId`, when it is the candidate's. */
  versionOf(strategyId: string): string | undefined {
    return this.versions.get(strategyId);
  }

  /** Start `candidate` in shadow. Throws a KeelError (ROLLOUT_STAGE) when a rollout is already in flight. */
  deployShadow(candidate: LoadedCandidate, by: string): RolloutStageEvent {
    const event = this.step({ kind: 'shadow', candidate: { strategy: candidate.identity.strategy, params: candidate.params, versionId: candidate.identity.versionId } }, by, 'deploy as shadow');
    this.candidate = candidate;
    this.decisions = 0; this.agreed = 0; this.recent.length = 0;
    this.versions.set(this.shadowId, candidate.identity.versionId);
    this.shadow = new ShadowBook({
      strategyId: this.shadowId, strategyClass: candidate.cls, params: candidate.params, instrument: this.p.instrument, clock: this.p.clock,
      initialCash: this.p.cash(), sizing: this.p.sizing, fees: this.p.fees, risk: this.p.risk, log: this.p.log,
      record: (e, order) => this.recordShadowOrder(e, order),
    });
    this.identity('shadow', this.shadowId);
    return event;
  }

  /** shadow → canary (with the configured fraction, or `fraction`), canary → full. */
  promote(by: string, reason = 'promoted', fraction?: number): RolloutStageEvent {
    const f = fraction ?? this.p.settings.canary.fraction;
    const from = this.state.stage;
    const event = this.step({ kind: 'promote', fraction: f }, by, reason);
    const c = this.candidate!;
    if (from === 'shadow') {
      this.shadow?.stop();
      this.shadow = undefined;
      this.versions.set(this.canaryId, c.identity.versionId);
      const sizing: Sizing = this.p.sizing.kind === 'units' ? { kind: 'units', units: this.p.sizing.units * f } : this.p.sizing;
      this.canary = new CanaryRunner({
        strategyId: this.canaryId, strategyClass: c.cls, params: c.params, instrument: this.p.instrument, clock: this.p.clock, execution: this.p.execution,
        log: this.p.log, cash: this.scaledCash(f), sizing, lastOrderSeq: this.p.lastOrderSeq(this.canaryId),
      });
      this.identity('canary', this.canaryId);
    } else {
      // Full: the candidate keeps trading under its id at the whole size; the old version hears no more data.
      this.p.retireLive();
      this.canary?.goFull(this.p.portfolio, this.p.sizing);
      this.identity('live', this.canaryId);
    }
    return event;
  }

  /** Back to the live version alone: the shadow is dropped; a canary's position is flattened or handed over (settings.onRollback). */
  rollback(by: string, reason = 'rolled back'): RolloutStageEvent {
    const from = this.state.stage;
    let positions: RolloutStageEvent['positions'];
    if (from === 'canary' && this.canary) {
      const lots = this.canary.lots();
      const flatten = this.p.settings.onRollback === 'flatten';
      const wound = this.canary.wind(flatten);
      positions = {
        action: flatten ? 'flatten' : 'handover', lots, canceled: wound.canceled,
        ...(wound.flattenOrder === undefined ? {} : { flattenOrder: wound.flattenOrder }), ...(wound.refused === undefined ? {} : { flattenRefused: wound.refused }),
      };
    }
    const event = this.step({ kind: 'rollback' }, by, reason, positions);
    this.shadow?.stop(); this.shadow = undefined;
    this.canary?.stop(); this.canary = undefined;
    return event;
  }

  /** After the live strategy decided on `e`: the shadow decides, decisions are compared, budgets and criteria checked. */
  onMarketEvent(e: MarketEvent): void {
    if (this.shadow) {
      this.shadow.onMarketEvent(e);
      this.compare(e.ts);
      const auto = this.p.settings.auto;
      if (auto?.promoteAtAgreementPct !== undefined && this.decisions >= auto.minDecisions && (this.agreed * 100) / this.decisions >= auto.promoteAtAgreementPct) {
        this.promote('criteria: shadow agreement', `shadow agreed on ${this.agreed} of ${this.decisions} decisions (>= ${auto.promoteAtAgreementPct}% over >= ${auto.minDecisions})`);
      }
    } else {
      this.liveIntents = [];
    }
    if (this.canary && this.state.stage === 'canary') {
      this.canary.onMarketEvent(e);
      const max = this.p.settings.canary.maxLoss;
      if (max !== undefined && this.canary.loss() > max) {
        this.rollback('criteria: canary loss budget', `canary lost ${this.canary.loss().toFixed(2)}, more than its budget of ${max}`);
      }
    } else if (this.canary && this.state.stage === 'full') {
      this.canary.onMarketEvent(e);
    }
  }

  view(): RolloutView {
    const s = this.state;
    const c = this.candidate;
    const candidateId = s.stage === 'shadow' ? this.shadowId : this.canaryId;
    return {
      stage: s.stage,
      live: { strategyId: this.liveId, versionId: s.current },
      candidate: c === undefined || s.stage === 'idle' ? null : { strategyId: candidateId, versionId: c.identity.versionId, strategy: c.identity.strategy, params: c.params },
      since: s.stage === 'idle' ? null : s.since,
      fraction: s.stage === 'canary' ? s.fraction : null,
      shadow: c === undefined ? null : {
        decisions: this.decisions, agreed: this.agreed, agreementPct: this.decisions === 0 ? null : Math.round((this.agreed * 10_000) / this.decisions) / 100,
        simulatedLots: this.shadow?.lots(this.p.instrument.id) ?? 0, recent: [...this.recent],
      },
      canary: this.canary === undefined ? null : { lots: this.canary.lots(), loss: this.canary.loss(), maxLoss: this.p.settings.canary.maxLoss ?? null },
      history: [...this.history],
    };
  }

  private step(command: RolloutCommand, by: string, reason: string, positions?: RolloutStageEvent['positions']): RolloutStageEvent {
    const from = this.state;
    this.state = nextRolloutState(this.state, command, this.p.clock.now());
    const candidateVersion = command.kind === 'shadow' ? command.candidate.versionId : this.candidate?.identity.versionId ?? '';
    const event: RolloutStageEvent = {
      type: 'rollout.stage-changed', ts: this.p.clock.now(), from: from.stage, to: this.state.stage, by, reason,
      liveVersion: from.current, candidateVersion, ...(positions === undefined ? {} : { positions }),
    };
    this.history.push(event);
    this.p.record({ ts: event.ts, stream: { account: this.p.account }, type: event.type, payload: event, version: candidateVersion });
    return event;
  }

  private identity(role: StrategyRole, strategyId: string): void {
    const identity = { ...this.candidate!.identity, strategyId };
    const e: StrategyIdentityEvent = { type: 'strategy.identity', ts: this.p.clock.now(), role, reason: 'rollout', identity };
    this.p.record({ ts: e.ts, stream: { account: this.p.account, strategy: strategyId }, type: e.type, payload: e, version: identity.versionId });
  }

  private recordShadowOrder(e: OrderEvent, order: ManagedOrder): void {
    if (e.type === 'order.submitted') this.shadowIntents.push(this.intent(order));
    this.p.record({
      ts: e.ts, stream: { account: this.p.account, strategy: this.shadowId, instrument: order.request.instrumentId }, type: 'shadow.order',
      payload: e, version: this.candidate?.identity.versionId,
    });
  }

  private compare(ts: number): void {
    const live = this.liveIntents;
    const shadow = this.shadowIntents;
    this.liveIntents = [];
    this.shadowIntents = [];
    if (live.length === 0 && shadow.length === 0) return;
    const agree = live.length === shadow.length && live.every((l, i) => l.side === shadow[i].side && l.quantity === shadow[i].quantity);
    this.decisions++;
    if (agree) this.agreed++;
    const event: ShadowDecisionEvent = { type: 'shadow.decision', ts, live, shadow, agree };
    this.recent.push(event);
    if (this.recent.length > 50) this.recent.shift();
    this.p.record({ ts, stream: { account: this.p.account, strategy: this.shadowId }, type: event.type, payload: event, version: this.candidate?.identity.versionId });
  }

  private intent(order: ManagedOrder): IntentSummary {
    return { side: order.request.side, quantity: String(lotsToQuantity(this.p.instrument, order.request.quantity)), type: order.request.type };
  }

  private scaledCash(fraction: number): Money {
    // Exact: fraction in millionths of the account's cash.
    const parts = BigInt(Math.round(fraction * 1_000_000));
    return (this.p.cash() * parts) / 1_000_000n;
  }
}

/** A rollout command refused for its stage, as a one-line message (the API answers it with ok: false). */
export function rolloutRefusal(err: unknown): string | undefined {
  return err instanceof KeelError && err.code === 'ROLLOUT_STAGE' ? err.message : undefined;
}
