import type { RolloutStageEvent } from '../model/index.ts';
import type { ExecutionEngine } from '../execution/index.ts';
import type { StrategyLog } from '../strategy/index.ts';
import type { JournalWriter } from '../store/index.ts';
import type { EngineView } from './engine-view.ts';

/**
 * What a restart does with a staged rollout that was under way. A rollout lives in the running engine (the
 * candidate's code, its sub-ledger, the shadow's simulated book); a restart does not bring it back, and it
 * must not leave it half there either. So, from the last `rollout.stage-changed` the journal holds:
 * - shadow or canary: the rollout is ended as rolled back by the system, journaled like an operator's
 *   rollback; the canary's working orders are canceled and its position stays with the live version
 *   (handed over: the account's books already hold it);
 * - full: the candidate was trading as the account's strategy; this run trades what keel.yaml names. When
 *   that is not the candidate's version, the operator is warned, since the rolled-out version is not the one
 *   trading now; the candidate's working orders (under the canary's id) are canceled either way;
 * - idle or rolled-back: nothing to do.
 */
export interface RolloutAtSnapshot {
  readonly stage: string;
  readonly liveVersion: string;
  readonly candidateVersion: string;
  readonly ts: number;
}

export interface RolloutRestart {
  /** The system's rollback to journal (shadow, canary), or none (full). */
  readonly event: Omit<RolloutStageEvent, 'positions'> | undefined;
  /** The strategy id whose working orders nobody runs any more (canary or full), if any. */
  readonly orphanStrategy: string | undefined;
  /** The warning for the operator (log line and dashboard alert). */
  readonly title: string;
  readonly detail: string;
}

/** The last rollout step as a snapshot keeps it. */
export function rolloutAtSnapshot(e: RolloutStageEvent): RolloutAtSnapshot {
  return { stage: e.to, liveVersion: e.liveVersion, candidateVersion: e.candidateVersion, ts: e.ts };
}

/**
 * @example rolloutAfterRestart({ stage: 'canary', liveVersion: 'aaa', candidateVersion: 'bbb', ts: 1 }, { liveStrategyId: 'sma-cross', runVersion: 'aaa', now: 9 })
 * // { event: { from: 'canary', to: 'rolled-back', by: 'system', … }, orphanStrategy: 'sma-cross-canary', … }
 */
export function rolloutAfterRestart(last: RolloutAtSnapshot | undefined, run: { liveStrategyId: string; runVersion: string; now: number }): RolloutRestart | undefined {
  if (last === undefined) return undefined;
  const canaryId = `${run.liveStrategyId}-canary`;
  if (last.stage === 'shadow' || last.stage === 'canary') {
    const reason = `the engine restarted during the ${last.stage}: a rollout does not survive a restart (deploy version ${last.candidateVersion} again to resume it)`;
    return {
      event: { type: 'rollout.stage-changed', ts: run.now, from: last.stage, to: 'rolled-back', by: 'system', reason, liveVersion: last.liveVersion, candidateVersion: last.candidateVersion },
      orphanStrategy: last.stage === 'canary' ? canaryId : undefined,
      title: `rollout of version ${last.candidateVersion} rolled back at restart`,
      detail: `${reason}; ${last.stage === 'canary' ? 'the canary\'s working orders are canceled and its position stays with the live version' : 'the shadow sent no orders'}`,
    };
  }
  if (last.stage === 'full') {
    const same = last.candidateVersion === run.runVersion;
    return {
      event: undefined, orphanStrategy: canaryId,
      title: same ? `version ${last.candidateVersion} (rolled out in full) trades on from keel.yaml` : `version ${last.candidateVersion} was rolled out in full, but this run trades version ${run.runVersion}`,
      detail: same
        ? 'the rolled-out version is the one keel.yaml names; orders it left working under the canary\'s id are canceled'
        : `the last run rolled version ${last.candidateVersion} out in full; this run trades keel.yaml's strategy (version ${run.runVersion}). Put the rolled-out strategy and parameters in keel.yaml to keep it; orders it left working are canceled`,
    };
  }
  return undefined;
}

/**
 * Carry out `r` on the restarted engine, before it trades: cancel the orphaned working orders, journal the
 * system's rollback (with the canary's position handed over), and warn the operator (alert and log line).
 */
export function endRolloutAfterRestart(r: RolloutRestart | undefined, p: {
  account: string; instrumentId: string; execution: ExecutionEngine; record: (e: Parameters<JournalWriter['recordEvent']>[0]) => void;
  journal: Pick<JournalWriter, 'recordEvent'>; view: Pick<EngineView, 'addAlert'>; log: StrategyLog; now: number;
}): void {
  if (r === undefined) return;
  const canceled: string[] = [];
  for (const order of [...p.execution.orders.openOrders()]) {
    if (order.request.strategyId !== r.orphanStrategy) continue;
    p.execution.cancel(order.request.clientOrderId);
    canceled.push(order.request.clientOrderId);
  }
  if (r.event !== undefined) {
    const lots = r.orphanStrategy === undefined ? undefined
      : p.execution.risk.exposure.strategy(r.orphanStrategy).lines.find((l) => l.instrument.id === p.instrumentId)?.lots ?? 0;
    const event: RolloutStageEvent = { ...r.event, ...(lots === undefined ? {} : { positions: { action: 'handover', lots, canceled } }) };
    p.record({ ts: event.ts, stream: { account: p.account }, type: event.type, payload: event, version: event.candidateVersion });
  }
  const detail = `${r.detail}${canceled.length > 0 ? ` (canceled: ${canceled.join(', ')})` : ''}`;
  p.journal.recordEvent({ ts: p.now, stream: { account: p.account }, type: 'alert.raised', payload: { severity: 'warning', source: 'rollout', title: r.title, lines: [detail] } });
  p.view.addAlert('warning', 'rollout', r.title, detail);
  p.log.warn(`${r.title}: ${detail}`);
}
