import type { TrialExecutor } from './executor.ts';
import type { Search } from './search/search.ts';
import type { TrialResult, TrialTask } from './trial.ts';

export interface SweepOptions {
  readonly search: Search;
  readonly executor: TrialExecutor;
  /** Events [from, to) the trials run on (a walk-forward training window); all of them when absent. */
  readonly range?: { readonly from: number; readonly to: number };
  /** Each result as it arrives (any order), with the number done and the best so far. */
  readonly onResult?: (r: TrialResult, done: number, best: TrialResult | undefined) => void;
}

export interface SweepOutcome {
  /** Every trial, ordered by id (the order the search proposed them). */
  readonly trials: readonly TrialResult[];
  /** The trial with the highest objective (the lowest id among equals); undefined when none has one. */
  readonly best: TrialResult | undefined;
}

/**
 * Run a search to the end: ask it for a batch, run the batch on the executor, hand the results back in id
 * order, repeat. The outcome is a function of the search's seed and the trials' results only.
 *
 * @example const { trials, best } = await runSweep({ search: createSearch(...), executor: new LocalPool(spec, series) });
 */
export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const trials: TrialResult[] = [];
  let best: TrialResult | undefined;
  let liveBest: TrialResult | undefined;
  let done = 0;
  for (;;) {
    const points = o.search.next(trials);
    if (points.length === 0) break;
    const tasks: TrialTask[] = points.map((params, i) => ({ id: trials.length + i, params, ...(o.range ? { from: o.range.from, to: o.range.to } : {}) }));
    const results = await o.executor.run(tasks, (r) => {
      done++;
      if (better(r, liveBest)) liveBest = r;
      o.onResult?.(r, done, liveBest);
    });
    results.sort((a, b) => a.id - b.id);
    for (const r of results) {
      trials.push(r);
      if (better(r, best)) best = r;
    }
  }
  return { trials, best };
}

/** Higher objective wins; on a tie the lower id (so the choice never depends on arrival order). */
export function better(a: TrialResult, b: TrialResult | undefined): boolean {
  if (a.objective === null) return false;
  if (b === undefined || b.objective === null) return true;
  return a.objective > b.objective || (a.objective === b.objective && a.id < b.id);
}

/** The top n trials by objective (ties by id). */
export function topTrials(trials: readonly TrialResult[], n: number): TrialResult[] {
  return trials.filter((t) => t.objective !== null).sort((a, b) => b.objective! - a.objective! || a.id - b.id).slice(0, n);
}
