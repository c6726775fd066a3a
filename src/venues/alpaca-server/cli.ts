/**
 * `keel venue --api alpaca …`: run the Alpaca-compatible venue until SIGTERM or SIGINT.
 *
 *   keel venue --api alpaca --data ../shared/data/daily/ORCL-1995-2014.csv --keys PKTEST:s3cret:100000 --speed 10ms
 *
 * Prints the base URL as its only stdout line once it listens. Flags: --data FILE (required), --keys
 * KEYID:SECRET[:CASH][,…] (repeatable; or the KEEL_ALPACA_KEYS environment variable, which keeps secrets out of
 * `ps`), --speed 1x|10x|Nx (the data's own pace sped up N times)|max|manual|<ms per bar> (default 1000),
 * --port N, --host, --seed N, --symbol, --asset-class us_equity|crypto, --instrument, --tick, --lot, --cash,
 * --until-bar N, --shorting, --commission-pct, --maker-bps, --taker-bps, --limit-fill through|touch,
 * --participation R, --state-file PATH, --admin-token T, --log, and faults: --fault-latency-ms,
 * --fault-jitter-ms, --fault-rate-limit N[/WINDOW_MS], --fault-reject P, --fault-partial-fill P,
 * --fault-ws-drop-after N, --fault-ws-drop P, --fault-lost-ack P, --fault-lost-update P.
 */
import { parseArgs } from 'node:util';
import { KeelError, parseMoney, type InstrumentSpec } from '../../model/index.ts';
import { loadMarketData } from '../../data/index.ts';
import { fixedBpsSlippage, makerTakerFee, noFees, percentFee, type FeeModel } from '../sim/index.ts';
import type { FaultSettings } from './faults.ts';
import type { AlpacaVenueKey, AlpacaVenueServerOptions } from './options.ts';
import { startAlpacaVenueServer } from './server.ts';

const STRING_FLAGS = [
  'api', 'data', 'keys', 'speed', 'port', 'host', 'seed', 'symbol', 'asset-class', 'instrument', 'tick', 'lot', 'cash', 'until-bar',
  'commission-pct', 'maker-bps', 'taker-bps', 'slippage-bps', 'limit-fill', 'participation', 'state-file', 'admin-token',
  'fault-latency-ms', 'fault-jitter-ms', 'fault-rate-limit', 'fault-reject', 'fault-partial-fill', 'fault-ws-drop-after', 'fault-ws-drop', 'fault-lost-ack', 'fault-lost-update',
] as const;
const BOOLEAN_FLAGS = ['shorting', 'log'] as const;

type Flags = Partial<Record<(typeof STRING_FLAGS)[number], string>> & Partial<Record<(typeof BOOLEAN_FLAGS)[number], boolean>>;

function num(v: string | undefined, field: string, o: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    const range = o.max !== undefined ? ` in [${o.min ?? '-∞'}, ${o.max}]` : o.min !== undefined ? ` ≥ ${o.min}` : '';
    throw new KeelError('BAD_NUMBER', `must be ${o.integer ? 'an integer' : 'a number'}${range}`, { field, value: v });
  }
  return n;
}

/** `KEYID:SECRET[:CASH]` items, comma-separated. The error names the item by its key id only: never the secret. */
function parseKeys(texts: readonly string[]): AlpacaVenueKey[] {
  const keys: AlpacaVenueKey[] = [];
  for (const item of texts.flatMap((t) => t.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    const [keyId, secret, cash, ...rest] = item.split(':');
    if (!keyId || !secret || rest.length > 0) {
      throw new KeelError('BAD_KEYS', 'must be KEYID:SECRET or KEYID:SECRET:CASH', { field: '--keys', value: `${keyId || '?'}:…`, hint: 'e.g. --keys PKTEST:s3cret:100000' });
    }
    keys.push({ keyId, secret, ...(cash !== undefined ? { initialCash: parseMoney(cash, `--keys ${keyId} cash`) } : {}) });
  }
  if (keys.length === 0) throw new KeelError('MISSING_FLAG', 'is required', { field: '--keys', hint: 'KEYID:SECRET[:CASH], or set KEEL_ALPACA_KEYS' });
  return keys;
}

/** `--speed`: `max` 0 ms, `manual`, `Nx` the data's own bar spacing divided by N, else milliseconds per bar. */
function pace(text: string | undefined, dataPath: string): number | 'manual' {
  if (text === undefined) return 1000;
  if (text === 'max') return 0;
  if (text === 'manual') return 'manual';
  const x = /^(\d+(?:\.\d+)?)x$/.exec(text);
  if (x !== null) {
    const factor = Number(x[1]);
    if (!(factor > 0)) throw new KeelError('BAD_SPEED', 'must speed the data up by a factor > 0', { field: '--speed', value: text });
    return loadMarketData(dataPath).intervalMs / factor;
  }
  const ms = /^(\d+(?:\.\d+)?)(ms)?$/.exec(text);
  if (ms === null) throw new KeelError('BAD_SPEED', 'is not a speed', { field: '--speed', value: text, hint: 'use 1x, 10x, max, manual or milliseconds per bar' });
  return Number(ms[1]);
}

function fees(f: Flags): FeeModel {
  if (f['commission-pct'] !== undefined) return percentFee(f['commission-pct'], 0n);
  if (f['maker-bps'] !== undefined || f['taker-bps'] !== undefined) return makerTakerFee(f['maker-bps'] ?? '0', f['taker-bps'] ?? '0');
  return noFees;
}

function faultFlags(f: Flags): Partial<FaultSettings> {
  const out: Partial<FaultSettings> = {};
  const p = (k: keyof Flags) => num(f[k] as string | undefined, `--${k}`, { min: 0, max: 1 });
  if (f['fault-latency-ms'] !== undefined) out.latencyMs = num(f['fault-latency-ms'], '--fault-latency-ms', { min: 0 });
  if (f['fault-jitter-ms'] !== undefined) out.jitterMs = num(f['fault-jitter-ms'], '--fault-jitter-ms', { min: 0 });
  if (f['fault-rate-limit'] !== undefined) {
    const [n, w] = f['fault-rate-limit'].split('/');
    out.rateLimit = {
      requests: num(n, '--fault-rate-limit', { min: 1, integer: true })!,
      windowMs: num(w ?? '60000', '--fault-rate-limit window (ms)', { min: 1 })!,
    };
  }
  if (f['fault-reject'] !== undefined) out.rejectProbability = p('fault-reject');
  if (f['fault-partial-fill'] !== undefined) out.partialFillProbability = p('fault-partial-fill');
  if (f['fault-ws-drop-after'] !== undefined) out.wsDropAfterMessages = num(f['fault-ws-drop-after'], '--fault-ws-drop-after', { min: 0, integer: true });
  if (f['fault-ws-drop'] !== undefined) out.wsDropProbability = p('fault-ws-drop');
  if (f['fault-lost-ack'] !== undefined) out.lostAckProbability = p('fault-lost-ack');
  if (f['fault-lost-update'] !== undefined) out.lostUpdateProbability = p('fault-lost-update');
  return out;
}

/**
 * The server options `keel venue --api alpaca` flags describe; a KeelError naming the flag and its value for
 * anything wrong.
 *
 * @example parseAlpacaVenueArgs(['--data', 'ORCL.csv', '--keys', 'PK:s', '--speed', 'max']).barIntervalMs // 0
 */
export function parseAlpacaVenueArgs(argv: string[], env: Record<string, string | undefined> = process.env): AlpacaVenueServerOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, strict: true,
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((k) => [k, { type: 'string' as const, multiple: k === 'keys' }])),
        ...Object.fromEntries(BOOLEAN_FLAGS.map((k) => [k, { type: 'boolean' as const }])),
      },
    });
  } catch (e) {
    throw new KeelError('BAD_FLAG', (e as Error).message.split('\n')[0], { hint: 'see docs/venue-server.md for the flags' });
  }
  const v = parsed.values as Record<string, unknown>;
  const keyTexts = (v.keys as string[] | undefined) ?? (env.KEEL_ALPACA_KEYS !== undefined ? [env.KEEL_ALPACA_KEYS] : []);
  const f = { ...v, keys: undefined } as Flags;
  if (f.api !== undefined && f.api !== 'alpaca') throw new KeelError('BAD_FLAG', 'this venue speaks alpaca', { field: '--api', value: f.api });
  if (f.data === undefined) throw new KeelError('MISSING_FLAG', 'is required', { field: '--data', hint: 'the CSV file of bars to replay' });
  const assetClass = f['asset-class'];
  if (assetClass !== undefined && assetClass !== 'us_equity' && assetClass !== 'crypto') {
    throw new KeelError('BAD_FLAG', 'must be us_equity or crypto', { field: '--asset-class', value: assetClass });
  }
  const limitFill = f['limit-fill'];
  if (limitFill !== undefined && limitFill !== 'through' && limitFill !== 'touch') throw new KeelError('BAD_FLAG', 'must be through or touch', { field: '--limit-fill', value: limitFill });
  const spec: Partial<InstrumentSpec> = { ...(f.tick !== undefined ? { priceTick: f.tick } : {}), ...(f.lot !== undefined ? { lotSize: f.lot } : {}) };
  return {
    dataPath: f.data,
    keys: parseKeys(keyTexts),
    ...(f.instrument !== undefined || Object.keys(spec).length > 0 ? { instrument: { ...spec, id: f.instrument ?? '' } } : {}),
    ...(f.symbol !== undefined ? { symbol: f.symbol } : {}),
    ...(assetClass !== undefined ? { assetClass } : {}),
    barIntervalMs: pace(f.speed, f.data),
    port: num(f.port, '--port', { min: 0, max: 65535, integer: true }) ?? 0,
    host: f.host ?? '127.0.0.1',
    seed: num(f.seed, '--seed', { min: 0, integer: true }) ?? 1,
    untilBar: num(f['until-bar'], '--until-bar', { min: 0, integer: true }),
    initialCash: parseMoney(f.cash ?? '100000', '--cash'),
    fees: fees(f),
    ...(f['slippage-bps'] !== undefined ? { slippage: fixedBpsSlippage(num(f['slippage-bps'], '--slippage-bps', { min: 0 })!) } : {}),
    ...(limitFill !== undefined ? { limitFill } : {}),
    participationRate: num(f.participation, '--participation', { min: 0, max: 1 }),
    shorting: f.shorting === true,
    faults: faultFlags(f),
    ...(f['state-file'] !== undefined ? { stateFile: f['state-file'] } : {}),
    ...(f['admin-token'] !== undefined ? { adminToken: f['admin-token'] } : {}),
    ...(f.log === true ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  };
}

/**
 * The CLI entry: start the server, print its URL (one stdout line), run until SIGTERM/SIGINT; resolves to the
 * exit code. A bad flag or data file prints one line to stderr and resolves to 2, without a stack trace.
 *
 * @example process.exitCode = await alpacaVenueCommand(['--data', 'ORCL.csv', '--keys', 'PK:s']);
 */
export async function alpacaVenueCommand(argv: string[]): Promise<number> {
  let server;
  try {
    server = await startAlpacaVenueServer({
      ...parseAlpacaVenueArgs(argv),
      onReplayEnd: (bars) => process.stderr.write(`replay finished: all ${bars} bars replayed; no more market data will come (orders are still taken)\n`),
    });
  } catch (e) {
    if (!(e instanceof KeelError) && (e as { code?: unknown }).code !== 'EADDRINUSE') throw e;
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${server.url}\n`);
  const s = server;
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void s.close().then(() => resolve(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

if (import.meta.main) {
  alpacaVenueCommand(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
