import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, basename, extname } from 'node:path';
import {
  KeelError, assertNever, defineInstrument, parseMoney, tickForDecimals, type AssetClass, type MarketEvent,
} from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams } from '../../strategy/index.ts';
import { latencyModel } from '../../venues/index.ts';
import { assertTimeZone, loadMarketData, parseColumnMapping, type LoadedData } from '../../data/index.ts';
import { buildResult, describeSizing, parseSizing, renderReport, runBacktest, type BacktestResult } from '../../backtest/index.ts';
import { parseRiskConfig, type RiskConfig } from '../../risk/index.ts';
import { ControlChannel, ControlPoller, FileTradingStateStore, controlHandlerFor } from '../../ops/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { feeModelFromFlags, slippageFromFlag } from '../fees-and-slippage.ts';
import { createProgress } from '../progress.ts';
import { formatSummary } from '../summary.ts';

export const BACKTEST_HELP = `keel backtest: run a strategy over historical data with the simulated venue

  --strategy NAME|FILE      built-in (sma-cross, rsi-reversion, bollinger-breakout, buy-and-hold) or a .ts file
  --params a=1,b=2          strategy parameters (see keel strategies)
  --data FILE               CSV of bars, trades or quotes (layouts: see docs/data.md)
  --columns time=..,close=..  column mapping for other CSV layouts
  --timezone ZONE           IANA zone of timestamps without an offset (default UTC)
  --date-format YMD|MDY|DMY  order of day and month in slashed dates (default MDY)
  --instrument ID           instrument id (default: from the file name)
  --asset-class equity|crypto|fx   (default equity)
  --currency CCY            quote currency (default USD)
  --tick 0.01               price tick (default: the finest decimals in the file)
  --lot 1                   lot size, the smallest tradable quantity (default 1)
  --cash 100000             starting cash (default 100000)
  --sizing all-in|units:N|percent:P   entry size (default all-in)
  --commission-pct P        fee: percent of notional (0.1 = 0.1%)
  --commission-per-unit X   fee: per unit, with --commission-min M and --commission-max-pct P
  --maker-bps M --taker-bps T   fee: maker/taker in basis points
  --slippage none|bps:N|half-spread:N|sqrt:COEF[:WINDOW]   (default none)
  --latency-ms N --jitter-ms N --seed N   order latency model (default 0 ms)
  --participation R         max share of each bar's volume filled, 0 < R <= 1 (default 1)
  --limit-fill through|touch   when a resting limit fills on a bar (default through)
  --risk-free R             annual risk-free rate for Sharpe/Sortino, e.g. 0.02 (default 0)
  --risk FILE               risk limits, breakers and kill switch (YAML; see docs/risk-config.md)
  --control DIR             accept keel kill / rearm / status while running; keeps the trading state
                            (a HALTED run stays HALTED on the next start with the same DIR)
  --out result.json         write the result
  --report report.html      write the HTML report
  --quiet                   print nothing but errors
`;

const OPTIONS = {
  strategy: { type: 'string' }, params: { type: 'string' }, data: { type: 'string' }, columns: { type: 'string' },
  timezone: { type: 'string' }, 'date-format': { type: 'string' }, instrument: { type: 'string' }, 'asset-class': { type: 'string' },
  currency: { type: 'string' }, tick: { type: 'string' }, lot: { type: 'string' }, cash: { type: 'string' }, sizing: { type: 'string' },
  'commission-pct': { type: 'string' }, 'commission-per-unit': { type: 'string' }, 'commission-min': { type: 'string' },
  'commission-max-pct': { type: 'string' }, 'maker-bps': { type: 'string' }, 'taker-bps': { type: 'string' },
  slippage: { type: 'string' }, 'latency-ms': { type: 'string' }, 'jitter-ms': { type: 'string' }, seed: { type: 'string' },
  participation: { type: 'string' }, 'limit-fill': { type: 'string' }, 'risk-free': { type: 'string' },
  risk: { type: 'string' }, control: { type: 'string' },
  out: { type: 'string' }, report: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export async function backtestCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'backtest');
  if (v.help) { process.stdout.write(BACKTEST_HELP); return 0; }
  const strategyArg = required(v.strategy, '--strategy', 'e.g. --strategy sma-cross');
  const dataPath = required(v.data, '--data', 'a CSV file, e.g. --data ../shared/data/daily/ORCL-1995-2014.csv');
  const loaded = await loadStrategy(strategyArg);
  const params = resolveParams(loaded.cls.params, v.params ? parseParamString(v.params) : {}, loaded.name);
  const initialCash = parseMoney(v.cash ?? '100000', '--cash');
  if (initialCash <= 0n) throw new KeelError('BAD_NUMBER', 'must be positive', { field: '--cash', value: v.cash });
  const sizing = parseSizing(v.sizing ?? 'all-in');
  const fees = feeModelFromFlags(v);
  const slippage = slippageFromFlag(v.slippage);
  const latencyMs = numberFlag(v['latency-ms'] ?? '0', '--latency-ms', { min: 0 })!;
  const jitterMs = numberFlag(v['jitter-ms'] ?? '0', '--jitter-ms', { min: 0 })!;
  const seed = numberFlag(v.seed ?? '1', '--seed', { integer: true, min: 0 })!;
  const participation = numberFlag(v.participation ?? '1', '--participation', { min: 0, exclusiveMin: true, max: 1 })!;
  const riskFree = numberFlag(v['risk-free'] ?? '0', '--risk-free', { min: -1, max: 1 })!;
  const limitFill = v['limit-fill'] ?? 'through';
  if (limitFill !== 'through' && limitFill !== 'touch') throw new KeelError('BAD_ARGUMENT', 'must be through or touch', { field: '--limit-fill', value: limitFill });
  const assetClass = (v['asset-class'] ?? 'equity') as AssetClass;
  if (!['equity', 'crypto', 'fx'].includes(assetClass)) throw new KeelError('BAD_ARGUMENT', 'must be equity, crypto or fx', { field: '--asset-class', value: assetClass });
  if (v.tick !== undefined) numberFlag(v.tick, '--tick', { min: 0, exclusiveMin: true });
  if (v.timezone !== undefined) checkTimeZone(v.timezone);
  if (v.lot !== undefined) numberFlag(v.lot, '--lot', { min: 0, exclusiveMin: true });

  const riskConfig = v.risk !== undefined ? loadRiskFile(v.risk) : undefined;

  const data = loadMarketData(dataPath, {
    instrumentId: v.instrument, timeZone: v.timezone, dateFormat: v['date-format'] as 'YMD' | 'MDY' | 'DMY' | undefined,
    columns: v.columns ? parseColumnMapping(v.columns) : undefined,
  });
  const events = eventsOf(data);
  const instrument = defineInstrument({
    id: data.instrumentId, assetClass, quoteCurrency: v.currency ?? 'USD',
    priceTick: v.tick ?? tickForDecimals(data.priceDecimals), lotSize: v.lot ?? '1', timeZone: v.timezone ?? 'UTC',
  });
  const quiet = v.quiet ?? false;
  const progress = quiet ? undefined : createProgress({ total: events.length, label: 'backtest' });
  const latency = latencyModel(latencyMs, jitterMs, seed);
  const strategyId = loaded.file ? basename(loaded.file, extname(loaded.file)) : loaded.name;
  let channel: ControlChannel | undefined;
  const run = (() => {
    try {
      return runBacktest({
        strategyId, strategyClass: loaded.cls, params, instrument, events, initialCash, sizing, fees, slippage,
        latency, participationRate: participation, limitFill, progress, risk: riskConfig,
        stateStore: v.control !== undefined ? new FileTradingStateStore(v.control) : undefined,
        onReady: v.control === undefined ? undefined : ({ risk }) => {
          channel = new ControlChannel(v.control!, controlHandlerFor(risk), { description: `backtest ${strategyId} on ${data.instrumentId}` });
          channel.open();
          return new ControlPoller(channel);
        },
        log: quiet ? undefined : { info: (m) => process.stderr.write(`[${strategyId}] ${m}\n`), warn: (m) => process.stderr.write(`[${strategyId}] warning: ${m}\n`) },
      });
    } finally {
      channel?.close();
    }
  })();
  const result = buildResult(run, {
    strategyName: loaded.name, params, dataSource: dataPath, dataLayout: data.layout, dataWarnings: data.report.warnings.length,
    riskFreeRate: riskFree,
    riskConfig: v.risk,
    config: {
      cash: v.cash ?? '100000', sizing: describeSizing(sizing), fees: fees.description, slippage: slippage.description,
      latency: latency.description, participation, limitFill, riskFreeRate: riskFree,
      tick: instrument.priceTick, lot: instrument.lotSize, timeZone: instrument.timeZone, risk: v.risk ?? null,
    },
  });
  if (v.out) writeOutput(v.out, JSON.stringify(result, null, 2) + '\n', '--out');
  if (v.report) writeOutput(v.report, renderReport(result, pricesOf(events)), '--report');
  if (!quiet) {
    if (data.report.warnings.length) process.stderr.write(`data: ${data.report.warnings.length} warning(s); run keel data validate ${dataPath} for the list\n`);
    process.stdout.write(formatSummary(result));
    if (v.out) process.stdout.write(`result: ${v.out}\n`);
    if (v.report) process.stdout.write(`report: ${v.report}\n`);
  }
  return 0;
}

function eventsOf(d: LoadedData): readonly MarketEvent[] {
  switch (d.kind) {
    case 'bars': return d.bars;
    case 'trades': return d.trades;
    case 'quotes': return d.quotes;
    default: return assertNever(d, 'data kind');
  }
}

/** Price series for the report's chart: bars as they are, trades as one-price bars, quotes at the mid. */
function pricesOf(events: readonly MarketEvent[]): { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] } {
  const n = events.length;
  const out = { time: new Array<number>(n), open: new Array<number>(n), high: new Array<number>(n), low: new Array<number>(n), close: new Array<number>(n) };
  for (let i = 0; i < n; i++) {
    const e = events[i];
    out.time[i] = e.ts;
    if (e.type === 'bar') { out.open[i] = e.open; out.high[i] = e.high; out.low[i] = e.low; out.close[i] = e.close; }
    else {
      const p = e.type === 'trade' ? e.price : (e.bid + e.ask) / 2;
      out.open[i] = out.high[i] = out.low[i] = out.close[i] = p;
    }
  }
  return out;
}

/** Read and validate the --risk file; every problem is one line naming the file, line and key. */
function loadRiskFile(path: string): RiskConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeelError('BAD_RISK_CONFIG', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--risk', value: path });
  }
  return parseRiskConfig(text, path);
}

/** Validate `--timezone` up front so the error names the flag. */
export function checkTimeZone(zone: string): void {
  try {
    assertTimeZone(zone);
  } catch {
    throw new KeelError('BAD_TIMEZONE', 'is not an IANA time zone', { field: '--timezone', value: zone, hint: 'e.g. UTC, America/New_York, Europe/London' });
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
