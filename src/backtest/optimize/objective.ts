import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KeelError } from '../../model/index.ts';
import type { PerformanceMetrics } from '../result.ts';
import type { ParamPoint } from './param-space.ts';

/** What a sweep maximises: one of the metrics, or a function in a file. */
export type ObjectiveSpec =
  | { readonly kind: 'metric'; readonly name: MetricObjective }
  | { readonly kind: 'file'; readonly path: string; readonly codeHash: string };

export const METRIC_OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'return', 'cagr'] as const;
export type MetricObjective = typeof METRIC_OBJECTIVES[number];

/**
 * An objective: higher is better; null when undefined for the trial (no trades, no volatility), which ranks
 * below every number.
 */
export type ObjectiveFn = (metrics: PerformanceMetrics, params: ParamPoint) => number | null;

const FIELD = '--objective';

/**
 * Resolve `--objective`: a metric name, or a `.ts`/`.js` file whose default export is
 * `(metrics, params) => number | null`.
 *
 * @example await parseObjective('sharpe') // { kind: 'metric', name: 'sharpe' }
 */
export async function parseObjective(text: string): Promise<ObjectiveSpec> {
  if ((METRIC_OBJECTIVES as readonly string[]).includes(text)) return { kind: 'metric', name: text as MetricObjective };
  if (!/\.(ts|mts|js|mjs)$/.test(text)) {
    throw new KeelError('BAD_OBJECTIVE', 'is not an objective', { field: FIELD, value: text, hint: `use ${METRIC_OBJECTIVES.join(', ')} or a .ts file exporting (metrics, params) => number` });
  }
  const path = resolve(text);
  if (!existsSync(path)) throw new KeelError('BAD_OBJECTIVE', 'file not found', { field: FIELD, value: text });
  // The path as given: a queue worker on another machine resolves it against its own working directory.
  const spec: ObjectiveSpec = { kind: 'file', path: text, codeHash: createHash('sha256').update(readFileSync(path)).digest('hex') };
  await loadObjective(spec, text);
  return spec;
}

/** The function an objective spec names; a file is imported and checked against its hash. */
export async function loadObjective(spec: ObjectiveSpec, shown: string = spec.kind === 'file' ? spec.path : spec.name): Promise<ObjectiveFn> {
  if (spec.kind === 'metric') return metricObjective(spec.name);
  const path = resolve(spec.path);
  if (!existsSync(path)) throw new KeelError('BAD_OBJECTIVE', 'file not found on this machine', { field: FIELD, value: shown });
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (hash !== spec.codeHash) throw new KeelError('BAD_OBJECTIVE', 'differs from the coordinator\'s copy (sha256 mismatch)', { field: FIELD, value: shown });
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (err) {
    throw new KeelError('BAD_OBJECTIVE', `could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { field: FIELD, value: shown });
  }
  const fn = mod.default;
  if (typeof fn !== 'function') throw new KeelError('BAD_OBJECTIVE', 'has no default export function', { field: FIELD, value: shown, hint: 'export default (metrics, params) => metrics.sharpe ?? null' });
  return (metrics, params) => {
    const v = (fn as ObjectiveFn)(metrics, params);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number') throw new KeelError('BAD_OBJECTIVE', `returned ${typeof v}, not a number`, { field: FIELD, value: shown });
    return Number.isFinite(v) ? v : null;
  };
}

function metricObjective(name: MetricObjective): ObjectiveFn {
  switch (name) {
    case 'sharpe': return (m) => m.sharpe;
    case 'sortino': return (m) => m.sortino;
    case 'calmar': return (m) => m.calmar;
    case 'return': return (m) => m.totalReturn;
    case 'cagr': return (m) => m.cagr;
  }
}

/** `sharpe`, or the objective file's name. */
export function objectiveLabel(spec: ObjectiveSpec): string {
  return spec.kind === 'metric' ? spec.name : spec.path.split(/[\\/]/).pop()!;
}
