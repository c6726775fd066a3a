import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, basename, extname } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams } from '../../strategy/index.ts';
import { defaultCacheDir, type SeriesColumns } from '../../data/index.ts';
import {
  buildCompactResult, describeSettings, engineModels, expandResult, instrumentOf, renderReport, runBacktest, writeResultJson, type BacktestResult,
} from '../../backtest/index.ts';
import type { ControlChannel } from '../../ops/index.ts';
import { parseFlags, required } from '../args.ts';
import { checkDataFlags, checkTimeZone, DATA_HELP, DATA_OPTIONS, ENGINE_HELP, ENGINE_OPTIONS, engineSettingsFromFlags, loadRunData } from '../backtest-options.ts';
import { createProgress } from '../progress.ts';
import { formatSummary } from '../summary.ts';

export const BACKTEST_HELP = `keel backtest: run a strategy over historical data with the simulated venue

  --strategy NAME|FILE      built-in (sma-cross, rsi-reversion, bollinger-breakout, buy-and-hold) or a .ts file
  --params a=1,b=2          strategy parameters (see keel strategies)
  --data FILE               CSV of bars, trades or quotes (layouts: see docs/data.md)
${DATA_HELP}${ENGINE_HELP}  --control DIR             accept keel kill / rearm / status while running; keeps the trading state
                            (a HALTED run stays HALTED on the next start with the same DIR)
  --out result.json         write the result
  --no-cache                read the CSV every time: no columnar cache (default: a file's validated columns
                            are cached in $KEEL_CACHE_DIR or ~/.cache/keel/data; see docs/data.md)
  --cache-dir DIR           where the columnar cache lives
  --report report.html      write the HTML report
  --quiet                   print nothing but errors
`;

const OPTIONS = {
  strategy: { type: 'string' }, params: { type: 'string' }, ...DATA_OPTIONS, ...ENGINE_OPTIONS, control: { type: 'string' },
  'no-cache': { type: 'boolean' }, 'cache-dir': { type: 'string' },
  out: { type: 'string' }, report: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export async function backtestCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'backtest');
  if (v.help) { process.stdout.write(BACKTEST_HELP); return 0; }
  const strategyArg = required(v.strategy, '--strategy', 'e.g. --strategy sma-cross');
  const dataPath = required(v.data, '--data', 'a CSV file, e.g. --data ../shared/data/daily/ORCL-1995-2014.csv');
  const loaded = await loadStrategy(strategyArg);
  const params = resolveParams(loaded.cls.params, v.params ? parseParamString(v.params) : {}, loaded.name);
  const settings = engineSettingsFromFlags(v);
  checkDataFlags(v);
  const models = engineModels(settings);
  const { data, series: events, instrument: instrumentSpec } = loadRunData(dataPath, v, v['no-cache'] ? {} : { cacheDir: v['cache-dir'] ?? defaultCacheDir() });
  const instrument = instrumentOf(instrumentSpec);
  const quiet = v.quiet ?? false;
  const progress = quiet ? undefined : createProgress({ total: events.length, label: 'backtest' });
  const strategyId = loaded.file ? basename(loaded.file, extname(loaded.file)) : loaded.name;
  // ops/ (metrics, logs, alert channels) is loaded only for --control: a plain backtest has no use for it.
  const ops = v.control !== undefined ? await import('../../ops/index.ts') : undefined;
  let channel: ControlChannel | undefined;
  const run = (() => {
    try {
      return runBacktest({
        strategyId, strategyClass: loaded.cls, params, instrument, events, ...models, progress,
        stateStore: ops && v.control !== undefined ? new ops.FileTradingStateStore(v.control) : undefined,
        onReady: ops === undefined || v.control === undefined ? undefined : ({ risk }) => {
          channel = new ops.ControlChannel(v.control!, ops.controlHandlerFor(risk), { description: `backtest ${strategyId} on ${data.instrumentId}` });
          channel.open();
          return new ops.ControlPoller(channel);
        },
        log: quiet ? undefined : { info: (m) => process.stderr.write(`[${strategyId}] ${m}\n`), warn: (m) => process.stderr.write(`[${strategyId}] warning: ${m}\n`) },
      });
    } finally {
      channel?.close();
    }
  })();
  const compact = buildCompactResult(run, {
    strategyName: loaded.name, params, dataSource: dataPath, dataLayout: data.layout, dataWarnings: data.report.warnings.length,
    riskFreeRate: settings.riskFreeRate,
    riskConfig: v.risk,
    config: describeSettings(settings, instrument),
  });
  if (v.out) writeResultFile(v.out, compact);
  if (v.report) writeOutput(v.report, renderReport(expandResult(compact), pricesOf(events.columns)), '--report');
  const result = compact.result;
  if (!quiet) {
    if (data.report.warnings.length) process.stderr.write(`data: ${data.report.warnings.length} warning(s); run keel data validate ${dataPath} for the list\n`);
    process.stdout.write(formatSummary(result));
    if (v.out) process.stdout.write(`result: ${v.out}\n`);
    if (v.report) process.stdout.write(`report: ${v.report}\n`);
  }
  return 0;
}

/** Price series for the report's chart: bars as they are, trades as one-price bars, quotes at the mid. */
function pricesOf(cols: SeriesColumns): { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] } {
  const time = Array.from(cols.ts);
  if (cols.kind === 'bars') {
    const [open, high, low, close] = cols.values.map((c) => Array.from(c));
    return { time, open, high, low, close };
  }
  const [a, b] = cols.values;
  const p = cols.kind === 'trades' ? Array.from(a) : Array.from(a, (bid, i) => (bid + b[i]) / 2);
  return { time, open: p, high: p, low: p, close: p };
}

export { checkTimeZone };

/** Stream result.json (the curve is too big to build as one string past a few million points). */
function writeResultFile(path: string, compact: Parameters<typeof writeResultJson>[1]): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeResultJson(path, compact);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err; // not the file system: a bug, shown as one
    throw new KeelError('WRITE_FAILED', `cannot be written: ${code}`, { field: '--out', value: path });
  }
}

export function writeOutput(path: string, content: string, field: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (err) {
    throw new KeelError('WRITE_FAILED', `cannot be written: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field, value: path });
  }
}

export type { BacktestResult };
