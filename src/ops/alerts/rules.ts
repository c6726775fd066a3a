import { withRunbook } from './runbooks.ts';
import type { Alert } from './channels.ts';

/** What the engine reports each second for the threshold rules (see runtime/alert-feed.ts). */
export interface AlertSignals {
  readonly ts: number;
  readonly drawdownPct: number;
  /** Today's loss as a percent of the daily-loss limit (undefined without one). */
  readonly dailyLossPctOfLimit?: number;
  /** Equity now and on the expected path at the same market time (undefined without a path, or outside it). */
  readonly equity?: number;
  readonly expectedEquity?: number;
  readonly venueConnected: boolean;
  /** Seconds since the last market event (undefined before the first). */
  readonly dataAgeSeconds?: number;
  /** Over the rules' window (ops/alerts/signal-window.ts); undefined until enough orders. */
  readonly rejectRatePct?: number;
  readonly denialRatePct?: number;
  readonly ackLatencyP99Ms?: number;
  readonly marketToOrderP99Micros?: number;
  readonly rssMb: number;
  /** The event loop's p99 delay over the last second, ms. */
  readonly eventLoopLagMs?: number;
  /** Local clock minus UTC, ms, from the time daemon (ops/clock); undefined when unknown. */
  readonly clockOffsetMs?: number;
}

export interface RuleConfig {
  readonly name: string;
  readonly severity: Alert['severity'];
  /** The condition must hold this long before the alert fires (ms). */
  readonly forMs: number;
  readonly test: (s: AlertSignals) => string | undefined;
}

/** The `alerts.rules` thresholds (docs/alerts.md); a rule exists only when its threshold is set. */
export interface RuleThresholds {
  readonly drawdownPct?: number;
  readonly dailyLossPctOfLimit?: number;
  readonly pnlDeviationPct?: number;
  readonly venueDisconnectedMs?: number;
  readonly staleDataSeconds?: number;
  readonly rejectRatePct?: number;
  readonly denialRatePct?: number;
  readonly ackLatencyMs?: number;
  readonly marketToOrderMicros?: number;
  readonly rssMb?: number;
  readonly eventLoopLagMs?: number;
  /** The clock_drift alert: |offset| past this many ms (the `clock:` section's alertMs; RTS 25's 1 ms). */
  readonly clockDriftMs?: number;
  /** How long a breach must last before it fires (venue-disconnected has its own). */
  readonly forMs?: number;
}

/** `value ≥ threshold` when both are known: the detail line; else undefined (no alert). */
function atLeast(value: number | undefined, threshold: number, detail: (v: number) => string): string | undefined {
  return value !== undefined && value >= threshold ? detail(value) : undefined;
}

/** Rules from thresholds; each returns the alert's detail when breached. */
export function thresholdRules(t: RuleThresholds): RuleConfig[] {
  const forMs = t.forMs ?? 0;
  const rules: RuleConfig[] = [];
  const add = (name: string, severity: Alert['severity'], threshold: number | undefined, test: (s: AlertSignals, threshold: number) => string | undefined, ms = forMs) => {
    if (threshold !== undefined) rules.push({ name, severity, forMs: ms, test: (s) => test(s, threshold) });
  };
  add('drawdown', 'critical', t.drawdownPct, (s, x) => atLeast(s.drawdownPct, x, (v) => `drawdown ${v.toFixed(2)}% (threshold ${x}%)`));
  add('daily-loss', 'warning', t.dailyLossPctOfLimit, (s, x) => atLeast(s.dailyLossPctOfLimit, x, (v) => `daily loss at ${v.toFixed(0)}% of its limit (alert at ${x}%)`));
  add('pnl-deviation', 'warning', t.pnlDeviationPct, (s, x) => atLeast(deviationPct(s), x, (v) =>
    `equity ${s.equity!.toFixed(2)} is ${v.toFixed(2)}% ${s.equity! < s.expectedEquity! ? 'below' : 'above'} the expected path's ${s.expectedEquity!.toFixed(2)} (threshold ${x}%)`));
  add('venue-disconnected', 'critical', t.venueDisconnectedMs, (s) => (s.venueConnected ? undefined : 'the venue connection is down'), t.venueDisconnectedMs);
  add('stale-data', 'warning', t.staleDataSeconds, (s, x) => atLeast(s.dataAgeSeconds, x, (v) => `no market data for ${Math.round(v)} s (threshold ${x} s)`));
  add('reject-rate', 'warning', t.rejectRatePct, (s, x) => atLeast(s.rejectRatePct, x, (v) => `venue reject rate ${v.toFixed(0)}% (threshold ${x}%)`));
  add('denial-rate', 'warning', t.denialRatePct, (s, x) => atLeast(s.denialRatePct, x, (v) => `risk-gate denial rate ${v.toFixed(0)}% (threshold ${x}%)`));
  add('ack-latency', 'warning', t.ackLatencyMs, (s, x) => atLeast(s.ackLatencyP99Ms, x, (v) => `order acknowledgement p99 ${v.toFixed(1)} ms (threshold ${x} ms)`));
  add('market-to-order-latency', 'warning', t.marketToOrderMicros, (s, x) => atLeast(s.marketToOrderP99Micros, x, (v) => `market event to order p99 ${v.toFixed(0)} µs (threshold ${x} µs)`));
  add('memory', 'warning', t.rssMb, (s, x) => atLeast(s.rssMb, x, (v) => `resident memory ${Math.round(v)} MB (threshold ${x} MB)`));
  add('event-loop-lag', 'warning', t.eventLoopLagMs, (s, x) => atLeast(s.eventLoopLagMs, x, (v) => `event-loop delay p99 ${v.toFixed(1)} ms (threshold ${x} ms)`));
  add('clock_drift', 'warning', t.clockDriftMs, (s, x) => (s.clockOffsetMs !== undefined && Math.abs(s.clockOffsetMs) > x
    ? `clock offset ${s.clockOffsetMs >= 0 ? '+' : '-'}${Math.abs(s.clockOffsetMs).toFixed(3)} ms from UTC (threshold ${x} ms, MiFID II RTS 25)` : undefined));
  return rules;
}

function deviationPct(s: AlertSignals): number | undefined {
  if (s.equity === undefined || s.expectedEquity === undefined || !(s.expectedEquity > 0)) return undefined;
  return (100 * Math.abs(s.equity - s.expectedEquity)) / s.expectedEquity;
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
        out.push({ key: `rule:${r.name}`, severity: r.severity, title: `${r.name}: ${detail}`, detail: withRunbook(r.name, detail), ts: s.ts, state: 'firing' });
      }
    }
    return out;
  }
}
