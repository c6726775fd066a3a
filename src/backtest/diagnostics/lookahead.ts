/**
 * Lookahead check (after Freqtrade's lookahead-analysis): a strategy that decides at bar t only from bars up
 * to t makes the same decisions up to t whether or not the data goes on after t. So run it on the full data,
 * then on the data cut just after each of a set of bars t, and compare every decision (submit, cancel,
 * modify, with its terms) up to t. Any difference means the strategy saw the future. A second full run checks
 * the strategy is repeatable: different decisions on the same data mean it keeps state between runs (a
 * module-level variable, a cache) or draws unseeded randomness, and then neither a backtest nor a sweep
 * of it can be trusted.
 *
 * What it cannot see: a strategy that reads the future outside the data Keel feeds it (its own copy of the
 * file, a web service) decides the same in every run and passes. docs/research.md says more.
 */
import type { MarketEvent } from '../../model/index.ts';
import type { ModifySpec, OrderSpec, StrategyClass } from '../../strategy/index.ts';

/** One decision of the strategy: what it asked for, and when. */
export interface Decision {
  readonly ts: number;
  readonly action: 'submit' | 'cancel' | 'modify';
  /** The call's arguments as JSON (the order's terms). */
  readonly detail: string;
}

/** Records every decision a strategy makes, by wrapping its class. */
export function recordingDecisions(cls: StrategyClass): { cls: StrategyClass; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const Recording = class extends (cls as unknown as new (params: any) => InstanceType<StrategyClass>) {
    override submit(spec: OrderSpec): string {
      decisions.push({ ts: this.clock.now(), action: 'submit', detail: JSON.stringify(spec) });
      return super.submit(spec);
    }
    override cancel(id: string): void {
      decisions.push({ ts: this.clock.now(), action: 'cancel', detail: JSON.stringify(id) });
      super.cancel(id);
    }
    override modify(id: string, changes: ModifySpec): void {
      decisions.push({ ts: this.clock.now(), action: 'modify', detail: JSON.stringify([id, changes]) });
      super.modify(id, changes);
    }
  };
  Object.defineProperty(Recording, 'name', { value: cls.name });
  return { cls: Object.assign(Recording, { params: cls.params, description: cls.description }) as unknown as StrategyClass, decisions };
}

export type LookaheadVerdict =
  | { readonly kind: 'clean' }
  | { readonly kind: 'not-repeatable'; readonly index: number; readonly first: Decision | null; readonly second: Decision | null }
  | { readonly kind: 'peeks'; readonly cutBar: number; readonly cutTs: number; readonly index: number; readonly full: Decision | null; readonly truncated: Decision | null };

export interface LookaheadReport {
  readonly verdict: LookaheadVerdict;
  readonly decisions: number;
  /** Bars the data was cut after (indices into the events). */
  readonly cuts: readonly number[];
  /** Decisions compared over all cuts. */
  readonly compared: number;
}

/**
 * Run the check. `run(cls, events)` runs a backtest of the given (wrapped) strategy class on the events.
 *
 * @example checkLookahead({ events, cuts: 20, run: (cls, ev) => { runBacktest({ ...spec, strategyClass: cls, events: ev }); } })
 */
export function checkLookahead(o: { events: readonly MarketEvent[]; strategy: StrategyClass; cuts: number; run: (cls: StrategyClass, events: readonly MarketEvent[]) => void }): LookaheadReport {
  const full = decide(o, o.events);
  const again = decide(o, o.events);
  const d = firstDifference(full, again);
  if (d >= 0) return { verdict: { kind: 'not-repeatable', index: d, first: full[d] ?? null, second: again[d] ?? null }, decisions: full.length, cuts: [], compared: Math.min(full.length, again.length) };
  const cuts = cutBars(o.events, full, o.cuts);
  let compared = 0;
  for (const bar of cuts) {
    const cutTs = o.events[bar].ts;
    const truncated = decide(o, o.events.slice(0, bar + 1));
    const expected = full.filter((x) => x.ts <= cutTs);
    const seen = truncated.filter((x) => x.ts <= cutTs);
    compared += expected.length;
    const i = firstDifference(expected, seen);
    if (i >= 0) return { verdict: { kind: 'peeks', cutBar: bar, cutTs, index: i, full: expected[i] ?? null, truncated: seen[i] ?? null }, decisions: full.length, cuts, compared };
  }
  return { verdict: { kind: 'clean' }, decisions: full.length, cuts, compared };
}

function decide(o: { strategy: StrategyClass; run: (cls: StrategyClass, events: readonly MarketEvent[]) => void }, events: readonly MarketEvent[]): Decision[] {
  const rec = recordingDecisions(o.strategy);
  o.run(rec.cls, events);
  return rec.decisions;
}

function firstDifference(a: readonly Decision[], b: readonly Decision[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.ts !== y.ts || x.action !== y.action || x.detail !== y.detail) return i;
  }
  return -1;
}

/**
 * Where to cut: the bars of the full run's decisions (a peeking strategy shows itself where it acts), spread
 * evenly over them, topped up with evenly spaced bars when it decided less often than `count`.
 */
export function cutBars(events: readonly MarketEvent[], decisions: readonly Decision[], count: number): number[] {
  const n = events.length;
  if (n < 2 || count <= 0) return [];
  const indexOfTs = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!indexOfTs.has(events[i].ts)) indexOfTs.set(events[i].ts, i);
  const decisionBars = [...new Set(decisions.map((d) => indexOfTs.get(d.ts)).filter((i): i is number => i !== undefined && i < n - 1))];
  const picked = new Set<number>();
  const take = Math.min(count, decisionBars.length);
  for (let k = 0; k < take; k++) picked.add(decisionBars[Math.floor((k * decisionBars.length) / take)]);
  for (let k = 1; picked.size < count && k <= count; k++) picked.add(Math.min(n - 2, Math.floor((k * (n - 1)) / (count + 1))));
  return [...picked].sort((a, b) => a - b);
}
