import type { ParamSpace } from './param-space.ts';
import type { TrialResult } from './trial.ts';

const METRIC_COLUMNS = [
  ['sharpe', (t: TrialResult) => t.metrics?.sharpe],
  ['sortino', (t: TrialResult) => t.metrics?.sortino],
  ['calmar', (t: TrialResult) => t.metrics?.calmar],
  ['total_return', (t: TrialResult) => t.metrics?.totalReturn],
  ['cagr', (t: TrialResult) => t.metrics?.cagr],
  ['max_drawdown', (t: TrialResult) => t.metrics?.maxDrawdown],
  ['trades', (t: TrialResult) => t.metrics?.trades],
  ['win_rate', (t: TrialResult) => t.metrics?.winRate],
  ['profit_factor', (t: TrialResult) => t.metrics?.profitFactor],
  ['exposure', (t: TrialResult) => t.metrics?.exposureTime],
  ['end_equity', (t: TrialResult) => t.metrics?.endEquity],
] as const;

/**
 * `trials.csv`: one row per trial in id order; numbers in JavaScript's shortest round-trip form, an empty
 * cell for "no value". Same trials give the same bytes, whatever ran them.
 *
 * @example trialsCsv(space, trials).split('\n')[0] // 'trial,fast,slow,objective,sharpe,…,error'
 */
export function trialsCsv(space: ParamSpace, trials: readonly TrialResult[]): string {
  const names = space.dimensions.map((d) => d.name);
  const header = ['trial', ...names, 'objective', ...METRIC_COLUMNS.map(([n]) => n), 'error'];
  const lines = [header.map(csvCell).join(',')];
  for (const t of trials) {
    const row = [t.id, ...names.map((n) => t.params[n]), t.objective, ...METRIC_COLUMNS.map(([, f]) => f(t)), t.error];
    lines.push(row.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows of `trials.json`: the table without the block moments (internal to PBO). */
export function trialRecords(trials: readonly TrialResult[]): object[] {
  return trials.map((t) => ({ id: t.id, params: t.params, objective: t.objective, metrics: t.metrics, moments: t.moments, error: t.error }));
}
