/**
 * What `keel optimize` and `keel walkforward` share: their options, and turning the flags into a search, a
 * sweep spec, the shared data and an executor (local worker threads, or a job queue).
 */
import { KeelError, type MarketEvent } from '../model/index.ts';
import { loadStrategy, parseParamString, resolveParams, type LoadedStrategy } from '../strategy/index.ts';
import {
  buildTrialContext, createSearch, defaultWorkers, describeSpace, LocalPool, packSeries, parseConstraint, parseGrid, parseObjective,
  seriesHash, type Constraint, type ObjectiveSpec, type PackedSeries, type ParamSpace, type ParamValue, type Search, type SearchKind,
  type SweepSpec, type TrialContext, type TrialExecutor,
} from '../backtest/optimize/index.ts';
import type { EngineSettings } from '../backtest/index.ts';
import { numberFlag, required } from './args.ts';
import { DATA_HELP, DATA_OPTIONS, ENGINE_HELP, ENGINE_OPTIONS, engineSettingsFromFlags, loadRunData, checkDataFlags, type RunData } from './backtest-options.ts';

export const SWEEP_OPTIONS = {
  strategy: { type: 'string' }, params: { type: 'string' }, ...DATA_OPTIONS, ...ENGINE_OPTIONS,
  grid: { type: 'string' }, search: { type: 'string' }, random: { type: 'string' }, trials: { type: 'string' },
  objective: { type: 'string' }, constraint: { type: 'string', multiple: true }, workers: { type: 'string' }, top: { type: 'string' },
  blocks: { type: 'string' }, out: { type: 'string' }, queue: { type: 'string' }, 'queue-name': { type: 'string' },
  quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export const SWEEP_HELP = `  --strategy NAME|FILE      built-in (keel strategies) or a .ts file
  --data FILE               CSV of bars, trades or quotes (docs/data.md)
  --grid fast=5..50:5,slow=20..200:10   the space: a..b:step, a..b (continuous, random/tpe only), x|y|z, x
  --search grid|random|tpe  how trials are chosen (default grid; tpe: Tree-structured Parzen Estimator)
  --random N                random search of N trials (same as --search random --trials N)
  --trials N                trials for random and tpe (default 100)
  --objective sharpe|sortino|calmar|return|cagr|FILE.ts   what to maximise (default sharpe)
  --constraint "fast<slow"  keep only points where it holds (repeatable; + - * / < <= > >= == != && || !)
  --params a=1,b=2          fixed values of parameters not swept
  --seed N                  seed of the search (and of latency jitter); same seed, same trials (default 1)
  --workers N               worker threads (default: one per core)
  --queue redis://HOST:PORT run the trials on keel worker processes through Redis (docs/research.md)
  --queue-name NAME         queue to use (default keel-trials)
  --blocks S                CSCV blocks for the probability of backtest overfitting, even (default 16)
  --top N                   trials whose equity curves the report draws (default 5)
  --out DIR                 write trials.csv, trials.json, diagnostics.json and report.html
  --quiet                   print nothing but errors
${DATA_HELP}${ENGINE_HELP}`;

type SweepFlags = { [K in keyof typeof SWEEP_OPTIONS]?: (typeof SWEEP_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof SWEEP_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

export interface PreparedSweep {
  readonly strategy: LoadedStrategy;
  readonly space: ParamSpace;
  readonly constraints: readonly Constraint[];
  readonly objective: ObjectiveSpec;
  readonly objectiveText: string;
  readonly searchKind: SearchKind;
  readonly trials: number;
  readonly seed: number;
  readonly settings: EngineSettings;
  readonly run: RunData;
  readonly spec: SweepSpec;
  readonly series: PackedSeries;
  readonly seriesHash: string;
  /** The coordinator's own context (top trials' curves, out-of-sample runs). */
  readonly ctx: TrialContext;
  readonly blocks: number;
  readonly top: number;
}

/** Validate every flag (cheapest first), then load the data once. */
export async function prepareSweep(v: SweepFlags): Promise<PreparedSweep> {
  const strategyArg = required(v.strategy, '--strategy', 'e.g. --strategy sma-cross');
  const dataPath = required(v.data, '--data', 'a CSV file, e.g. --data ../shared/data/daily/ORCL-1995-2014.csv');
  const gridText = required(v.grid, '--grid', 'e.g. --grid fast=5..50:5,slow=20..200:10');
  const strategy = await loadStrategy(strategyArg);
  const space = parseGrid(gridText, strategy.cls.params, strategy.name);
  const fixedParams = fixedParamsOf(v.params, strategy, space);
  const constraints = (v.constraint ?? []).map((c) => parseConstraint(c, Object.keys(strategy.cls.params)));
  const objectiveText = v.objective ?? 'sharpe';
  const objective = await parseObjective(objectiveText);
  let searchKind = (v.search ?? (v.random !== undefined ? 'random' : 'grid')) as SearchKind;
  if (!['grid', 'random', 'tpe'].includes(searchKind)) throw new KeelError('BAD_ARGUMENT', 'must be grid, random or tpe', { field: '--search', value: v.search });
  if (v.random !== undefined && searchKind !== 'random') throw new KeelError('BAD_ARGUMENT', `cannot be combined with --search ${searchKind}`, { field: '--random', value: v.random });
  const trialsText = v.random ?? v.trials;
  if (searchKind === 'grid' && v.trials !== undefined) throw new KeelError('BAD_ARGUMENT', 'applies to random and tpe search; a grid runs every point', { field: '--trials', value: v.trials });
  const trials = numberFlag(trialsText ?? '100', v.random !== undefined ? '--random' : '--trials', { integer: true, min: 1 })!;
  const blocks = numberFlag(v.blocks ?? '16', '--blocks', { integer: true, min: 2, max: 20 })!;
  if (blocks % 2 !== 0) throw new KeelError('BAD_NUMBER', 'must be even (CSCV splits the blocks in halves)', { field: '--blocks', value: v.blocks });
  const top = numberFlag(v.top ?? '5', '--top', { integer: true, min: 1, max: 10 })!;
  if (v.workers !== undefined) numberFlag(v.workers, '--workers', { integer: true, min: 1, max: 256 });
  const settings = engineSettingsFromFlags(v);
  checkDataFlags(v);
  // Fail on an impossible search before loading the data.
  const seed = settings.seed;
  createSearch({ kind: searchKind, space, constraints, trials, seed });
  const run = loadRunData(dataPath, v);
  const series = packSeries(run.events as MarketEvent[]);
  const spec: SweepSpec = {
    strategy: { ref: strategyArg, codeHash: strategy.codeHash }, objective, fixedParams,
    instrument: run.instrument, settings, blocks,
  };
  const ctx = await buildTrialContext(spec, run.events);
  return { strategy, space, constraints, objective, objectiveText, searchKind, trials, seed, settings, run, spec, series, seriesHash: seriesHash(series), ctx, blocks, top };
}

/** A fresh search (each walk-forward window gets its own, from the same seed). */
export function searchOf(p: PreparedSweep): Search {
  return createSearch({ kind: p.searchKind, space: p.space, constraints: p.constraints, trials: p.trials, seed: p.seed });
}

/** `grid over fast=5..50:5,slow=20..200:10` / `tpe, 100 trials over …, seed 1`. */
export function searchText(p: PreparedSweep, planned: number): string {
  const space = describeSpace(p.space);
  return p.searchKind === 'grid' ? `grid of ${planned} points over ${space}` : `${p.searchKind} search, ${planned} trials over ${space}, seed ${p.seed}`;
}

function fixedParamsOf(text: string | undefined, strategy: LoadedStrategy, space: ParamSpace): Record<string, ParamValue> {
  if (!text) return {};
  const given = parseParamString(text);
  for (const name of Object.keys(given)) {
    if (space.dimensions.some((d) => d.name === name)) throw new KeelError('BAD_PARAM', 'is both swept (--grid) and fixed (--params)', { field: `--params ${name}`, value: given[name] });
  }
  const resolved = resolveParams(strategy.cls.params, given, strategy.name);
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(given)) out[name] = resolved[name];
  return out;
}

/**
 * The executor the flags ask for: a job queue (`--queue`), or worker threads on this machine. The queue
 * code (BullMQ, ioredis) is loaded only when asked for.
 */
export async function openExecutor(v: SweepFlags, p: PreparedSweep, log: (line: string) => void): Promise<{ executor: TrialExecutor; where: string }> {
  if (v.queue !== undefined) {
    const { openQueueExecutor } = await import('../backtest/queue/index.ts');
    const executor = await openQueueExecutor({ url: v.queue, queueName: v['queue-name'] ?? 'keel-trials', spec: p.spec, series: p.series, seriesHash: p.seriesHash, log });
    return { executor, where: executor.description };
  }
  const workers = v.workers !== undefined ? Number(v.workers) : defaultWorkers();
  return { executor: new LocalPool(p.spec, p.series, workers), where: `${workers} worker thread${workers === 1 ? '' : 's'}` };
}

export type { SweepFlags };
