import { join } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { objectiveLabel, pct, short } from '../../backtest/optimize/index.ts';
import { oosEquityCsv, parseWalkForward, renderWalkForwardReport, runWalkForward, windowsCsv, windowsOf, type WalkForwardPlan } from '../../backtest/walk-forward/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { openExecutor, prepareSweep, searchOf, searchText, SWEEP_HELP, SWEEP_OPTIONS, type SweepFlags } from '../sweep-setup.ts';
import { createSweepProgress } from '../sweep-progress.ts';
import { writeOutput } from './backtest.ts';

export const WALKFORWARD_HELP = `keel walkforward: optimise on each training window, trade the next window out of sample, stitch the result

  keel walkforward --strategy sma-cross --data FILE --grid fast=5..50:5,slow=20..200:10 --constraint "fast<slow" \\
    --train 3y --test 6m [--anchored] --out DIR
  (also: keel optimize ... --walk-forward train=3y,test=6m[,anchored])

  --train 3y                training window length: N y|m|w|d (calendar, UTC)
  --test 6m                 test (out-of-sample) window length; windows step forward by it
  --anchored                training windows all start at the first bar and grow (default: they roll)
  --warm-up BARS            bars of the training tail fed before each test window without trading
                            (default: the whole training window), so indicators are primed
${SWEEP_HELP}
Writes windows.csv (in sample vs out of sample per window), oos-equity.csv, walkforward.json and report.html.
`;

const OPTIONS = { ...SWEEP_OPTIONS, train: { type: 'string' }, test: { type: 'string' }, anchored: { type: 'boolean' }, 'warm-up': { type: 'string' } } as const;

export async function walkforwardCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'walkforward');
  if (v.help) { process.stdout.write(WALKFORWARD_HELP); return 0; }
  const train = required(v.train, '--train', 'e.g. --train 3y');
  const test = required(v.test, '--test', 'e.g. --test 6m');
  const plan = parseWalkForward(`train=${train},test=${test}${v.anchored ? ',anchored' : ''}`, '--train/--test');
  return walkForward(v, plan, '--train');
}

/** `keel optimize --walk-forward train=3y,test=6m[,anchored]`. */
export async function walkForwardFromOptimize(v: SweepFlags & { 'walk-forward'?: string; 'warm-up'?: string }): Promise<number> {
  return walkForward(v, parseWalkForward(v['walk-forward']!), '--walk-forward');
}

async function walkForward(v: SweepFlags & { 'warm-up'?: string }, plan: WalkForwardPlan, field: string): Promise<number> {
  const warmUpBars = numberFlag(v['warm-up'], '--warm-up', { integer: true, min: 0 });
  const quiet = v.quiet ?? false;
  const p = await prepareSweep(v);
  const windows = windowsOf(p.run.events.map((e) => e.ts), plan);
  const planText = `walk-forward train ${plan.train.text}, test ${plan.test.text}, ${plan.anchored ? 'anchored' : 'rolling'}`;
  if (windows.length === 0) {
    throw new KeelError('BAD_WALK_FORWARD', `leaves no test window: the data runs ${new Date(p.run.events[0].ts).toISOString().slice(0, 10)} to ${new Date(p.run.events[p.run.events.length - 1].ts).toISOString().slice(0, 10)}`, { field, value: plan.train.text, hint: 'use a shorter training window' });
  }
  const perWindow = searchOf(p).planned;
  const { executor, where } = await openExecutor(v, p, (line) => { if (!quiet) process.stderr.write(`${line}\n`); });
  const progress = createSweepProgress({ total: perWindow * windows.length, label: 'walkforward', objective: p.objectiveText, enabled: quiet ? false : undefined });
  const started = performance.now();
  let done = 0;
  let result;
  try {
    result = await runWalkForward({
      ctx: p.ctx, space: p.space, newSearch: () => searchOf(p), executor, windows, warmUpBars, blocks: p.blocks,
      onTrial: (_r, best) => progress.update(++done, best),
    });
  } finally {
    await executor.close();
  }
  progress.finish(done, undefined);
  const seconds = (performance.now() - started) / 1000;
  const line = searchText(p, perWindow);
  if (v.out) {
    const names = p.space.dimensions.map((d) => d.name);
    writeOutput(join(v.out, 'windows.csv'), windowsCsv(result, names), '--out');
    writeOutput(join(v.out, 'oos-equity.csv'), oosEquityCsv(result), '--out');
    writeOutput(join(v.out, 'walkforward.json'), JSON.stringify({
      plan, search: { kind: p.searchKind, seed: p.seed, space: p.space.dimensions.map((d) => ({ name: d.name, range: d.text })), constraints: p.constraints.map((c) => c.text) },
      objective: objectiveLabel(p.objective), data: { source: p.run.path, seriesSha256: p.seriesHash },
      windows: result.windows, oos: { metrics: result.oosMetrics, moments: result.oosMoments, probabilisticSharpe: result.oosProbabilisticSharpe, efficiency: result.efficiency },
    }, null, 2) + '\n', '--out');
    writeOutput(join(v.out, 'report.html'), renderWalkForwardReport({
      strategy: p.strategy.name, instrument: p.run.instrument.id, dataSource: p.run.path, planText, searchText: line, objective: objectiveLabel(p.objective), result,
    }), '--out');
  }
  if (!quiet) {
    const out: string[] = [`${planText} of ${p.strategy.name} on ${p.run.instrument.id}: ${result.windows.length} windows × ${line}, objective ${p.objectiveText}; ${where}, ${seconds.toFixed(1)} s`];
    for (const w of result.windows) {
      out.push(`  #${w.window.index} test ${w.testStart.slice(0, 10)}..${w.testEnd.slice(0, 10)}: ${w.best ? Object.entries(w.best).map(([k, x]) => `${k}=${x}`).join(' ') : 'no trial'}  IS ${short(w.inSample.objective)} → OOS ${short(w.outOfSample.objective)}  DSR ${short(w.diagnostics.deflatedSharpe?.deflatedSharpe)}  PBO ${pct(w.diagnostics.pbo?.pbo)}`);
    }
    const m = result.oosMetrics;
    out.push(`out of sample (stitched): return ${pct(m?.totalReturn)}, CAGR ${pct(m?.cagr)}, Sharpe ${short(m?.sharpe)}, max drawdown ${pct(m?.maxDrawdown)}, ${m?.trades ?? 0} trades; PSR ${short(result.oosProbabilisticSharpe)}`);
    out.push(`walk-forward efficiency (OOS CAGR / mean IS CAGR): ${short(result.efficiency)}`);
    if (v.out) out.push(`windows: ${v.out}/windows.csv`, `oos equity: ${v.out}/oos-equity.csv`, `report: ${v.out}/report.html`);
    process.stdout.write(out.join('\n') + '\n');
  }
  return 0;
}
