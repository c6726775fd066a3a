import type { Alert } from './channels.ts';

/** What the engine reports each second for the threshold rules (see runtime/alert-feed.ts). */
export interface AlertSignals {
  readonly ts: number;
  readonly drawdownPct: number;
  /** Today's loss as a percent of the daily-loss limit (undefined without one). */
  readonly dailyLossPctOfLimit?: number;
  readonly venueConnected: boolean;
  /** Seconds since the last market event (undefined before the first). */
  readonly dataAgeSeconds?: number;
  readonly rejectRatePct?: number;
  readonly rssMb: number;
}

export interface RuleConfig {
  readonly name: string;
  readonly severity: Alert['severity'];
  /** The condition must hold this long before the alert fires (ms). */
  readonly forMs: number;
  readonly test: (s: AlertSignals) => string | undefined;
}

/** Rules from thresholds; each returns the alert's detail when breached. */
export function thresholdRules(t: {
  drawdownPct?: number; dailyLossPctOfLimit?: number; venueDisconnectedMs?: number; staleDataSeconds?: number; rejectRatePct?: number; rssMb?: number; forMs?: number;
}): RuleConfig[] {
  const forMs = t.forMs ?? 0;
  const rules: RuleConfig[] = [];
  if (t.drawdownPct !== undefined) rules.push({ name: 'drawdown', severity: 'critical', forMs, test: (s) => (s.drawdownPct >= t.drawdownPct! ? `drawdown ${s.drawdownPct.toFixed(2)}% (threshold ${t.drawdownPct}%)` : undefined) });
  if (t.dailyLossPctOfLimit !== undefined) rules.push({ name: 'daily-loss', severity: 'warning', forMs, test: (s) => (s.dailyLossPctOfLimit !== undefined && s.dailyLossPctOfLimit >= t.dailyLossPctOfLimit! ? `daily loss at ${s.dailyLossPctOfLimit.toFixed(0)}% of its limit` : undefined) });
  if (t.venueDisconnectedMs !== undefined) rules.push({ name: 'venue-disconnected', severity: 'critical', forMs: t.venueDisconnectedMs, test: (s) => (s.venueConnected ? undefined : 'the venue connection is down') });
  if (t.staleDataSeconds !== undefined) rules.push({ name: 'stale-data', severity: 'warning', forMs, test: (s) => (s.dataAgeSeconds !== undefined && s.dataAgeSeconds >= t.staleDataSeconds! ? `no market data for ${Math.round(s.dataAgeSeconds)} s` : undefined) });
  if (t.rejectRatePct !== undefined) rules.push({ name: 'reject-rate', severity: 'warning', forMs, test: (s) => (s.rejectRatePct !== undefined && s.rejectRatePct >= t.rejectRatePct! ? `reject rate ${s.rejectRatePct.toFixed(0)}%` : undefined) });
  if (t.rssMb !== undefined) rules.push({ name: 'memory', severity: 'warning', forMs, test: (s) => (s.rssMb >= t.rssMb! ? `resident memory ${Math.round(s.rssMb)} MB` : undefined) });
  return rules;
}

/**
 * Turns signal snapshots into firing and resolved alerts: a rule fires after its condition held for `forMs`
 * (pending until then) and resolves when it clears. Deterministic: time is the snapshots' `ts`.
 *
 * @example for (const a of evaluator.evaluate(signals)) await dispatcher.raise(a);
 */
export class AlertEvaluator {
  private readonly rules: readonly RuleConfig[];
  private readonly since = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(rules: readonly RuleConfig[]) {
    this.rules = rules;
  }

  evaluate(s: AlertSignals): Alert[] {
    const out: Alert[] = [];
    for (const r of this.rules) {
      const detail = r.test(s);
      if (detail === undefined) {
        this.since.delete(r.name);
        if (this.active.delete(r.name)) out.push({ key: `rule:${r.name}`, severity: r.severity, title: `${r.name} cleared`, detail: 'back within threshold', ts: s.ts, state: 'resolved' });
        continue;
      }
      const start = this.since.get(r.name) ?? s.ts;
      this.since.set(r.name, start);
      if (s.ts - start >= r.forMs && !this.active.has(r.name)) {
        this.active.add(r.name);
        out.push({ key: `rule:${r.name}`, severity: r.severity, title: `${r.name}: ${detail}`, detail, ts: s.ts, state: 'firing' });
      }
    }
    return out;
  }
}
