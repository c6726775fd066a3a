import { KeelError } from '../../model/index.ts';
import { diagnoseSweep, runSweep } from '../../backtest/optimize/index.ts';
import { parseFlags } from '../args.ts';
import { openExecutor, prepareSweep, searchOf, searchText, SWEEP_HELP, SWEEP_OPTIONS } from '../sweep-setup.ts';
import { createSweepProgress } from '../sweep-progress.ts';
import { sweepSummary, writeSweep } from '../sweep-output.ts';

export const OPTIMIZE_HELP = `keel optimize: search a strategy's parameters, every trial through the full engine, with overfitting diagnostics

  keel optimize --strategy sma-cross --data FILE --grid fast=5..50:5,slow=20..200:10 --constraint "fast<slow" --out DIR
  keel optimize ... --walk-forward train=3y,test=6m[,anchored]   optimise per window, trade the next out of sample
                                                                 (the same as keel walkforward; see its --help)

${SWEEP_HELP}
Every optimisation reports the deflated Sharpe ratio, the probability of backtest overfitting (CSCV) and the
stability of the optimum; docs/research.md explains them. Trials are deterministic: the same command gives
the same trials.csv byte for byte, whatever --workers or --queue.
`;

const OPTIONS = { ...SWEEP_OPTIONS, 'walk-forward': { type: 'string' }, 'warm-up': { type: 'string' } } as const;

export async function optimizeCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'optimize');
  if (v.help) { process.stdout.write(OPTIMIZE_HELP); return 0; }
  if (v['walk-forward'] !== undefined) {
    const { walkForwardFromOptimize } = await import('./walkforward.ts');
    return walkForwardFromOptimize(v);
  }
  if (v['warm-up'] !== undefined) throw new KeelError('BAD_ARGUMENT', 'applies to walk-forward runs only', { field: '--warm-up', value: v['warm-up'] });
  const quiet = v.quiet ?? false;
  const p = await prepareSweep(v);
  const search = searchOf(p);
  const { executor, where } = await openExecutor(v, p, (line) => { if (!quiet) process.stderr.write(`${line}\n`); });
  const progress = createSweepProgress({ total: search.planned, label: 'optimize', objective: p.objectiveText, enabled: quiet ? false : undefined });
  const started = performance.now();
  let outcome;
  try {
    outcome = await runSweep({ search, executor, onResult: (_r, done, best) => progress.update(done, best) });
  } finally {
    await executor.close();
  }
  progress.finish(outcome.trials.length, outcome.best);
  const seconds = (performance.now() - started) / 1000;
  if (outcome.trials.every((t) => t.error !== null)) {
    const first = outcome.trials[0];
    throw new KeelError('ALL_TRIALS_FAILED', `every trial failed, e.g. ${first.error}`, { field: '--grid', value: v.grid, hint: 'check the ranges, or add a --constraint' });
  }
  const diagnostics = diagnoseSweep(outcome, p.space, p.blocks);
  const line = searchText(p, outcome.trials.length);
  if (v.out) writeSweep(v.out, p, outcome, diagnostics, line);
  if (!quiet) {
    const head = `optimize ${p.strategy.name} on ${p.run.instrument.id} (${p.run.events.length.toLocaleString('en-US')} bars): ${line}, objective ${p.objectiveText}; ${where}, ${seconds.toFixed(1)} s (${(outcome.trials.length / seconds).toFixed(1)} trials/s)`;
    process.stdout.write(sweepSummary(p, outcome, diagnostics, head));
    if (v.out) process.stdout.write(`trials: ${v.out}/trials.csv\nreport: ${v.out}/report.html\n`);
  }
  return 0;
}
