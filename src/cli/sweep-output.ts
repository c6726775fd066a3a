import { join } from 'node:path';
import { KEEL_VERSION } from '../backtest/index.ts';
import {
  describePoint, dsrReading, objectiveLabel, pboReading, pct, renderSweepReport, runTrialBacktest, short, topTrials, trialRecords, trialsCsv,
  type SweepDiagnostics, type SweepOutcome,
} from '../backtest/optimize/index.ts';
import { writeOutput } from './commands/backtest.ts';
import type { PreparedSweep } from './sweep-setup.ts';

/**
 * `trials.json`: the sweep's identity (strategy and data hashes, search, space, settings) and every trial.
 * Nothing here depends on where or how fast the trials ran, so a local run and a queue run of the same
 * sweep write the same bytes.
 */
export function sweepJson(p: PreparedSweep, outcome: SweepOutcome, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    keel: { version: KEEL_VERSION, sweepSchema: 1 },
    strategy: { name: p.strategy.name, codeHash: p.strategy.codeHash, fixedParams: p.spec.fixedParams },
    data: { source: p.run.path, instrument: p.run.instrument.id, events: p.run.events.length, seriesSha256: p.seriesHash },
    search: { kind: p.searchKind, seed: p.seed, trials: outcome.trials.length, space: p.space.dimensions.map((d) => ({ name: d.name, range: d.text })), constraints: p.constraints.map((c) => c.text) },
    objective: objectiveLabel(p.objective),
    settings: p.settings.risk ? { ...p.settings, risk: { path: p.settings.risk.path } } : p.settings,
    ...extra,
    best: outcome.best ? { id: outcome.best.id, params: outcome.best.params, objective: outcome.best.objective } : null,
    trials: trialRecords(outcome.trials),
  }, null, 2) + '\n';
}

/** Write trials.csv, trials.json, diagnostics.json and report.html into `dir`. */
export function writeSweep(dir: string, p: PreparedSweep, outcome: SweepOutcome, diagnostics: SweepDiagnostics, searchLine: string): void {
  writeOutput(join(dir, 'trials.csv'), trialsCsv(p.space, outcome.trials), '--out');
  writeOutput(join(dir, 'trials.json'), sweepJson(p, outcome), '--out');
  // The split-by-split logits are in the report's histogram; the file keeps the figures.
  const { pbo, ...rest } = diagnostics;
  writeOutput(join(dir, 'diagnostics.json'), JSON.stringify({ ...rest, pbo: pbo ? { ...pbo, logits: undefined } : null }, null, 2) + '\n', '--out');
  const curves = topTrials(outcome.trials, p.top).map((trial) => {
    const { run } = runTrialBacktest(p.ctx, trial.params);
    return { trial, times: run.recorder.times.subarray(0, run.events), equity: run.recorder.equity.subarray(0, run.events) };
  });
  writeOutput(join(dir, 'report.html'), renderSweepReport({
    strategy: p.strategy.name, instrument: p.run.instrument.id, dataSource: p.run.path, searchText: searchLine, constraints: p.constraints.map((c) => c.text),
    objective: objectiveLabel(p.objective), space: p.space, trials: outcome.trials, best: outcome.best, diagnostics, curves,
  }), '--out');
}

/** The summary printed after a sweep. */
export function sweepSummary(p: PreparedSweep, outcome: SweepOutcome, d: SweepDiagnostics, head: string): string {
  const lines = [head];
  const b = outcome.best;
  if (b?.metrics) {
    lines.push(`best #${b.id} ${describePoint(b.params)}: ${objectiveLabel(p.objective) === 'sharpe' ? '' : `${objectiveLabel(p.objective)} ${short(b.objective)}, `}Sharpe ${short(b.metrics.sharpe)}, return ${pct(b.metrics.totalReturn)}, max drawdown ${pct(b.metrics.maxDrawdown)}, ${b.metrics.trades} trades`);
  }
  if (d.deflatedSharpe) {
    const x = d.deflatedSharpe;
    lines.push(`deflated Sharpe ${short(x.deflatedSharpe)} (SR0 ${short(x.expectedMaxSharpe)} per bar from ${x.trials} trials, best ${short(x.sharpe)}; PSR ${short(x.probabilisticSharpe)}): ${dsrReading(x.deflatedSharpe)}`);
  }
  if (d.pbo) lines.push(`probability of backtest overfitting ${pct(d.pbo.pbo)} (CSCV, ${d.pbo.blocks} blocks, ${d.pbo.splits.toLocaleString('en-US')} splits): ${pboReading(d.pbo.pbo)}`);
  else if (d.pboSkipped) lines.push(`probability of backtest overfitting: not computed (${d.pboSkipped})`);
  if (d.stability && d.stability.neighbours > 0) {
    lines.push(`stability: ${d.stability.neighbours} neighbours of the optimum average ${short(d.stability.neighbourMean)}${d.stability.retained !== null ? ` (${pct(d.stability.retained)} of it)` : ''}, worst ${short(d.stability.neighbourWorst)}`);
  }
  const failed = outcome.trials.filter((t) => t.error !== null);
  if (failed.length) lines.push(`${failed.length} trial(s) did not run, e.g. #${failed[0].id} ${describePoint(failed[0].params)}: ${failed[0].error}`);
  return lines.join('\n') + '\n';
}
