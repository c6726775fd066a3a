import { KeelError, type RolloutStageEvent } from '../model/index.ts';
import { rolloutRefusal, type LoadedCandidate, type RolloutManager, type RolloutView } from '../lifecycle/index.ts';
import { AUDIT_OK, auditFailed, type AuditAction, type AuditRecorder } from '../security/index.ts';
import { describeOperator, type ActionResult, type Operator } from './engine-handle.ts';

/** The rollout actions of a running engine, for the API (`/api/rollout/*`), `keel deploy` and the dashboard. */
export interface RolloutControl {
  view(): RolloutView;
  deployShadow(o: { readonly strategy: string; readonly params: Readonly<Record<string, unknown>>; readonly by: Operator }): Promise<ActionResult>;
  promote(o: { readonly by: Operator; readonly fraction?: number }): ActionResult;
  rollback(o: { readonly by: Operator; readonly reason?: string }): ActionResult;
}

/**
 * Operator commands on a rollout: each done or refused step is journaled by the manager (only done ones) and
 * recorded in the audit trail with who asked, through the same Operator plumbing as the kill switch.
 */
export class EngineRolloutControl implements RolloutControl {
  private readonly manager: RolloutManager;
  private readonly load: (strategy: string, params: Readonly<Record<string, unknown>>) => Promise<LoadedCandidate>;
  private readonly audit: AuditRecorder | undefined;

  constructor(o: { manager: RolloutManager; load: (strategy: string, params: Readonly<Record<string, unknown>>) => Promise<LoadedCandidate>; audit?: AuditRecorder }) {
    this.manager = o.manager;
    this.load = o.load;
    this.audit = o.audit;
  }

  view(): RolloutView {
    return this.manager.view();
  }

  async deployShadow(o: { strategy: string; params: Readonly<Record<string, unknown>>; by: Operator }): Promise<ActionResult> {
    let candidate: LoadedCandidate;
    try {
      candidate = await this.load(o.strategy, o.params);
    } catch (err) {
      // A KeelError's message already names the field and the value.
      const message = err instanceof KeelError ? err.message : `strategy ${JSON.stringify(o.strategy)} could not be loaded: ${String(err)}`;
      return this.audited('rollout.shadow', o.by, o.strategy, { ok: false, message });
    }
    return this.run('rollout.shadow', o.by, o.strategy, () => this.manager.deployShadow(candidate, describeOperator(o.by)));
  }

  promote(o: { by: Operator; fraction?: number }): ActionResult {
    return this.run('rollout.promote', o.by, undefined, () => this.manager.promote(describeOperator(o.by), 'promoted by an operator', o.fraction));
  }

  rollback(o: { by: Operator; reason?: string }): ActionResult {
    return this.run('rollout.rollback', o.by, undefined, () => this.manager.rollback(describeOperator(o.by), o.reason ?? 'rolled back by an operator'));
  }

  private run(action: AuditAction, by: Operator, target: string | undefined, step: () => RolloutStageEvent): ActionResult {
    let e: RolloutStageEvent;
    try {
      e = step();
    } catch (err) {
      const refusal = rolloutRefusal(err);
      if (refusal === undefined) throw err;
      return this.audited(action, by, target, { ok: false, message: refusal });
    }
    const p = e.positions;
    const positions = p === undefined ? '' : `; canary position ${p.lots} lots ${p.action === 'handover' ? 'handed over'
      : p.flattenOrder !== undefined ? `flattened by ${p.flattenOrder}` : p.flattenRefused !== undefined ? `not flattened: ${p.flattenRefused}` : p.lots === 0 ? 'flat already' : 'not flattened: the account no longer holds it on that side (net of exits already working)'}`;
    return this.audited(action, by, target ?? e.candidateVersion, { ok: true, message: `${e.from} -> ${e.to}: version ${e.candidateVersion} (live ${e.liveVersion})${positions}` });
  }

  private audited(action: AuditAction, by: Operator, target: string | undefined, result: ActionResult): ActionResult {
    this.audit?.record({ actor: by.actor, origin: by.origin, action, ...(target === undefined ? {} : { target }), details: {}, result: result.ok ? AUDIT_OK : auditFailed(result.message) });
    return result;
  }
}
