/**
 * Runs the simulated venue server as its own process, so an engine can be killed and restarted against a
 * venue that keeps trading:
 *
 *   node src/venues/sim-server/main.ts --data ../shared/data/daily/ORCL-1995-2014.csv --port 0 --bar-ms 5 \
 *     --cash 100000 --commission-pct 0.1
 *
 * Prints `listening PORT` on stdout once it accepts connections; SIGTERM or SIGINT closes it. Flags:
 * --data FILE (required), --port N (0: any free port), --host, --instrument ID, --tick, --lot, --timezone,
 * --bar-ms N (default 5), --until-bar N, --cash AMOUNT (default 100000), fees as `keel backtest`
 * (--commission-pct [--commission-min] | --commission-per-unit [--commission-min] [--commission-max-pct] |
 * --maker-bps --taker-bps), --slippage none|bps:N|half-spread:N, --latency-ms N (simulated time),
 * --limit-fill through|touch, --participation R, --name NAME.
 */
import { parseArgs } from 'node:util';
import { KeelError, parseMoney, type InstrumentSpec } from '../../model/index.ts';
import {
  fixedBpsSlippage, halfSpreadSlippage, makerTakerFee, noFees, noSlippage, percentFee, perUnitFee, type FeeModel, type SlippageModel,
} from '../sim/index.ts';
import { startSimVenueServer } from './server.ts';

const STRING_FLAGS = [
  'data', 'port', 'host', 'instrument', 'tick', 'lot', 'timezone', 'bar-ms', 'until-bar', 'cash', 'commission-pct', 'commission-min',
  'commission-per-unit', 'commission-max-pct', 'maker-bps', 'taker-bps', 'slippage', 'latency-ms', 'limit-fill', 'participation', 'name',
] as const;

type Flags = Partial<Record<(typeof STRING_FLAGS)[number], string>>;

function num(v: string | undefined, field: string, o: { min?: number; integer?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min)) {
    const what = `${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}`;
    throw new KeelError('BAD_NUMBER', `must be ${what}`, { field, value: v });
  }
  return n;
}

function fees(f: Flags): FeeModel {
  const min = f['commission-min'] !== undefined ? parseMoney(f['commission-min'], '--commission-min') : 0n;
  if (f['commission-pct'] !== undefined) return percentFee(f['commission-pct'], min);
  if (f['commission-per-unit'] !== undefined) return perUnitFee(f['commission-per-unit'], min, f['commission-max-pct']);
  if (f['maker-bps'] !== undefined || f['taker-bps'] !== undefined) return makerTakerFee(f['maker-bps'] ?? '0', f['taker-bps'] ?? '0');
  return noFees;
}

function slippage(text: string | undefined): SlippageModel {
  if (text === undefined || text === 'none') return noSlippage;
  const [kind, n] = text.split(':');
  if (kind === 'bps') return fixedBpsSlippage(num(n, '--slippage', { min: 0 }) ?? 0);
  if (kind === 'half-spread') return halfSpreadSlippage(num(n, '--slippage', { min: 0 }) ?? 0);
  throw new KeelError('BAD_SLIPPAGE', 'is not a slippage model the venue server takes', { field: '--slippage', value: text, hint: 'use none, bps:N or half-spread:N' });
}

/** `keel venue ...` and `node src/venues/sim-server/main.ts ...`: start the server; it runs until SIGTERM/SIGINT. */
export async function simVenueCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: Object.fromEntries(STRING_FLAGS.map((k) => [k, { type: 'string' as const }])), strict: true });
  const f = values as Flags;
  if (f.data === undefined) throw new KeelError('MISSING_FLAG', 'is required', { field: '--data', hint: 'the CSV file of bars to replay' });
  const limitFill = f['limit-fill'];
  if (limitFill !== undefined && limitFill !== 'through' && limitFill !== 'touch') {
    throw new KeelError('BAD_FLAG', 'must be through or touch', { field: '--limit-fill', value: limitFill });
  }
  const spec: Partial<InstrumentSpec> = {
    ...(f.tick !== undefined ? { priceTick: f.tick } : {}), ...(f.lot !== undefined ? { lotSize: f.lot } : {}), ...(f.timezone !== undefined ? { timeZone: f.timezone } : {}),
  };
  const port = num(f.port, '--port', { min: 0, integer: true }) ?? 0;
  const server = await startSimVenueServer({
    dataPath: f.data,
    ...(f.instrument !== undefined || Object.keys(spec).length > 0 ? { instrument: { ...spec, id: f.instrument ?? '' } } : {}),
    port,
    host: f.host ?? '127.0.0.1',
    barIntervalMs: num(f['bar-ms'], '--bar-ms', { min: 0.001 }) ?? 5,
    untilBar: num(f['until-bar'], '--until-bar', { min: 0, integer: true }),
    initialCash: parseMoney(f.cash ?? '100000', '--cash'),
    fees: fees(f),
    slippage: slippage(f.slippage),
    latencyMs: num(f['latency-ms'], '--latency-ms', { min: 0 }) ?? 0,
    limitFill,
    participationRate: num(f.participation, '--participation', { min: 0 }),
    name: f.name,
    onReplayEnd: (bars) => process.stderr.write(`replay finished: all ${bars} bars replayed; no more market data will come\n`),
  }).catch((e: unknown) => {
    if ((e as { code?: unknown }).code === 'EADDRINUSE') throw new KeelError('PORT_IN_USE', 'is already in use', { field: '--port', value: port, hint: 'stop the other process, or pick another port; 0 picks a free one' });
    throw e;
  });
  const stop = () => { void server.close().then(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening ${server.port}\n`);
}

if (import.meta.main) simVenueCommand(process.argv.slice(2)).catch((e: unknown) => {
  // Bad flags and bad data are the user's to fix: one line. Anything else is a bug: the stack.
  const userError = e instanceof KeelError || String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`${userError ? (e as Error).message : (e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
