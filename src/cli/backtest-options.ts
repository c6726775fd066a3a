/**
 * The options every command that runs the engine over historical data shares (`keel backtest`, `keel
 * optimize`, `keel walkforward`, `keel check-lookahead`): where the data comes from, the instrument, and the
 * engine settings (cash, sizing, fees, slippage, latency, fills, risk). Parsed once here so the commands
 * agree on names, defaults and error messages.
 */
import { readFileSync } from 'node:fs';
import { KeelError, assertNever, parseMoney, tickForDecimals, type AssetClass, type MarketEvent } from '../model/index.ts';
import { assertTimeZone, loadMarketData, parseColumnMapping, type LoadedData } from '../data/index.ts';
import { parseSizing, type EngineSettings, type InstrumentSettings } from '../backtest/index.ts';
import { parseRiskConfig } from '../risk/index.ts';
import { numberFlag } from './args.ts';
import { feeSpecFromFlags, slippageSpecFromFlag } from './fees-and-slippage.ts';

/** parseArgs options for the data file and the instrument. */
export const DATA_OPTIONS = {
  data: { type: 'string' }, columns: { type: 'string' }, timezone: { type: 'string' }, 'date-format': { type: 'string' },
  instrument: { type: 'string' }, 'asset-class': { type: 'string' }, currency: { type: 'string' }, tick: { type: 'string' }, lot: { type: 'string' },
} as const;

/** parseArgs options for the engine settings. */
export const ENGINE_OPTIONS = {
  cash: { type: 'string' }, sizing: { type: 'string' },
  'commission-pct': { type: 'string' }, 'commission-per-unit': { type: 'string' }, 'commission-min': { type: 'string' },
  'commission-max-pct': { type: 'string' }, 'maker-bps': { type: 'string' }, 'taker-bps': { type: 'string' },
  slippage: { type: 'string' }, 'latency-ms': { type: 'string' }, 'jitter-ms': { type: 'string' }, seed: { type: 'string' },
  participation: { type: 'string' }, 'limit-fill': { type: 'string' }, 'risk-free': { type: 'string' }, risk: { type: 'string' },
} as const;

/** Usage lines for DATA_OPTIONS (without --data, which each command describes itself). */
export const DATA_HELP = `  --columns time=..,close=..  column mapping for other CSV layouts
  --timezone ZONE           IANA zone of timestamps without an offset (default UTC)
  --date-format YMD|MDY|DMY  order of day and month in slashed dates (default MDY)
  --instrument ID           instrument id (default: from the file name)
  --asset-class equity|crypto|fx   (default equity)
  --currency CCY            quote currency (default USD)
  --tick 0.01               price tick (default: the finest decimals in the file)
  --lot 1                   lot size, the smallest tradable quantity (default 1)
`;

/** Usage lines for ENGINE_OPTIONS. */
export const ENGINE_HELP = `  --cash 100000             starting cash (default 100000)
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
`;

type Flags<O> = { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };
export type DataFlags = Flags<typeof DATA_OPTIONS>;
export type EngineFlags = Flags<typeof ENGINE_OPTIONS>;

/**
 * Validate the engine flags into settings (plain data). Every bad value is one KeelError naming the flag.
 *
 * @example engineSettingsFromFlags({ cash: '50000', 'commission-pct': '0.1' })
 */
export function engineSettingsFromFlags(v: EngineFlags): EngineSettings {
  const cash = v.cash ?? '100000';
  if (parseMoney(cash, '--cash') <= 0n) throw new KeelError('BAD_NUMBER', 'must be positive', { field: '--cash', value: v.cash });
  const sizing = parseSizing(v.sizing ?? 'all-in');
  const fees = feeSpecFromFlags(v);
  const slippage = slippageSpecFromFlag(v.slippage);
  const latencyMs = numberFlag(v['latency-ms'] ?? '0', '--latency-ms', { min: 0 })!;
  const jitterMs = numberFlag(v['jitter-ms'] ?? '0', '--jitter-ms', { min: 0 })!;
  const seed = numberFlag(v.seed ?? '1', '--seed', { integer: true, min: 0 })!;
  const participation = numberFlag(v.participation ?? '1', '--participation', { min: 0, exclusiveMin: true, max: 1 })!;
  const riskFreeRate = numberFlag(v['risk-free'] ?? '0', '--risk-free', { min: -1, max: 1 })!;
  const limitFill = v['limit-fill'] ?? 'through';
  if (limitFill !== 'through' && limitFill !== 'touch') throw new KeelError('BAD_ARGUMENT', 'must be through or touch', { field: '--limit-fill', value: limitFill });
  const risk = v.risk !== undefined ? readRiskFile(v.risk) : undefined;
  return { cash, sizing, fees, slippage, latencyMs, jitterMs, seed, participation, limitFill, riskFreeRate, ...(risk ? { risk } : {}) };
}

/** Read and validate a risk file (--risk, keel limits --file); every problem is one line naming the file, line and key. */
export function readRiskFile(path: string, field = '--risk'): { path: string; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeelError('BAD_RISK_CONFIG', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field, value: path });
  }
  parseRiskConfig(text, path);
  return { path, text };
}

/** Check the instrument flags that do not need the data, so a typo fails before a long load. */
export function checkDataFlags(v: DataFlags): void {
  const assetClass = v['asset-class'] ?? 'equity';
  if (!['equity', 'crypto', 'fx'].includes(assetClass)) throw new KeelError('BAD_ARGUMENT', 'must be equity, crypto or fx', { field: '--asset-class', value: assetClass });
  if (v.tick !== undefined) numberFlag(v.tick, '--tick', { min: 0, exclusiveMin: true });
  if (v.timezone !== undefined) checkTimeZone(v.timezone);
  if (v.lot !== undefined) numberFlag(v.lot, '--lot', { min: 0, exclusiveMin: true });
}

export interface RunData {
  readonly path: string;
  readonly data: LoadedData;
  readonly events: readonly MarketEvent[];
  /** The same events as the kernel's series over the loaded columns (no event objects made up front). */
  readonly series: LoadedData['events'];
  readonly instrument: InstrumentSettings;
}

/** Load `--data` with the layout flags and describe its instrument from the instrument flags. */
export function loadRunData(path: string, v: DataFlags, o: { readonly cacheDir?: string } = {}): RunData {
  checkDataFlags(v);
  const data = loadMarketData(path, {
    instrumentId: v.instrument, timeZone: v.timezone, dateFormat: v['date-format'] as 'YMD' | 'MDY' | 'DMY' | undefined,
    columns: v.columns ? parseColumnMapping(v.columns) : undefined,
    // The columnar cache (docs/data.md), for the commands that use it.
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
  });
  const instrument: InstrumentSettings = {
    id: data.instrumentId, assetClass: (v['asset-class'] ?? 'equity') as AssetClass, quoteCurrency: v.currency ?? 'USD',
    priceTick: v.tick ?? tickForDecimals(data.priceDecimals), lotSize: v.lot ?? '1', timeZone: v.timezone ?? 'UTC',
  };
  return {
    path, data, instrument, series: data.events,
    // The events as an array, built only when a caller reads it (a backtest runs on the series).
    get events() { return eventsOf(data); },
  };
}

export function eventsOf(d: LoadedData): readonly MarketEvent[] {
  switch (d.kind) {
    case 'bars': return d.bars;
    case 'trades': return d.trades;
    case 'quotes': return d.quotes;
    default: return assertNever(d, 'data kind');
  }
}

/** Validate `--timezone` up front so the error names the flag. */
export function checkTimeZone(zone: string): void {
  try {
    assertTimeZone(zone);
  } catch {
    throw new KeelError('BAD_TIMEZONE', 'is not an IANA time zone', { field: '--timezone', value: zone, hint: 'e.g. UTC, America/New_York, Europe/London' });
  }
}
