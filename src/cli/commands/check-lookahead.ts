import { basename, extname } from 'node:path';
import { engineModels, instrumentOf, runBacktest } from '../../backtest/index.ts';
import { checkLookahead, type Decision } from '../../backtest/diagnostics/index.ts';
import { loadStrategy, parseParamString, resolveParams } from '../../strategy/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { DATA_HELP, DATA_OPTIONS, ENGINE_HELP, ENGINE_OPTIONS, engineSettingsFromFlags, loadRunData } from '../backtest-options.ts';

export const CHECK_LOOKAHEAD_HELP = `keel check-lookahead: does a strategy peek at future bars?

  keel check-lookahead --strategy FILE|NAME --data FILE [--params a=1] [--cuts 20]

Runs the strategy on the full data, again on the full data (it must decide the same: no state kept
between runs), then on the data cut just after each of --cuts bars (where it made decisions, and spread
over the series). Decisions up to a cut must not change when the bars after it are removed. Exit 0 when
clean, 1 when it peeks or is not repeatable (with the first differing decision), 2 on bad input.

  --strategy NAME|FILE      built-in or a .ts file
  --params a=1,b=2          strategy parameters
  --data FILE               CSV of bars, trades or quotes
  --cuts N                  truncated runs (default 20)
${DATA_HELP}${ENGINE_HELP}`;

const OPTIONS = {
  strategy: { type: 'string' }, params: { type: 'string' }, cuts: { type: 'string' }, ...DATA_OPTIONS, ...ENGINE_OPTIONS,
  quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export async function checkLookaheadCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'check-lookahead');
  if (v.help) { process.stdout.write(CHECK_LOOKAHEAD_HELP); return 0; }
  const strategyArg = required(v.strategy, '--strategy', 'e.g. --strategy my-strategy.ts');
  const dataPath = required(v.data, '--data', 'a CSV file');
  const cuts = numberFlag(v.cuts ?? '20', '--cuts', { integer: true, min: 1, max: 1000 })!;
  const loaded = await loadStrategy(strategyArg);
  const params = resolveParams(loaded.cls.params, v.params ? parseParamString(v.params) : {}, loaded.name);
  const settings = engineSettingsFromFlags(v);
  const { events, instrument: spec } = loadRunData(dataPath, v);
  const instrument = instrumentOf(spec);
  const strategyId = loaded.file ? basename(loaded.file, extname(loaded.file)) : loaded.name;
  const report = checkLookahead({
    events, strategy: loaded.cls, cuts,
    run: (cls, ev) => { runBacktest({ strategyId, strategyClass: cls, params, instrument, events: ev, ...engineModels(settings) }); },
  });
  const day = (ts: number): string => new Date(ts).toISOString().replace('T00:00:00.000Z', '');
  const show = (d: Decision | null): string => (d ? `${d.action} at ${day(d.ts)} ${d.detail}` : 'nothing');
  const head = `check-lookahead ${loaded.name} on ${instrument.id}: ${report.decisions} decisions in the full run; ${report.cuts.length} truncated runs, ${report.compared} decisions compared`;
  switch (report.verdict.kind) {
    case 'clean':
      if (!v.quiet) process.stdout.write(`${head}\nno lookahead found: every decision up to each cut is the same with the bars after it removed\n`);
      return 0;
    case 'not-repeatable':
      process.stdout.write(`${head}\nNOT REPEATABLE: two runs on the same data decide differently (decision ${report.verdict.index + 1}: first run ${show(report.verdict.first)}, second run ${show(report.verdict.second)}); the strategy keeps state between runs (module-level variables?) or uses unseeded randomness\n`);
      return 1;
    case 'peeks':
      process.stdout.write(`${head}\nLOOKAHEAD: with the data cut after ${day(report.verdict.cutTs)} (bar ${report.verdict.cutBar}), decision ${report.verdict.index + 1} changes: full data ${show(report.verdict.full)}, cut data ${show(report.verdict.truncated)}\n`);
      return 1;
  }
}
