/**
 * `keel venue --api ib …`: a local stand-in for TWS / IB Gateway (the TWS socket API on loopback) replaying
 * a CSV as its market, until SIGTERM or SIGINT. For trying `keel paper` with an `ib` venue without a
 * gateway (docs/ib.md says what it does and does not reproduce).
 *
 *   keel venue --api ib --data ../shared/data/daily/ORCL-1995-2014.csv --speed 20 --port 4002
 *
 * Prints `HOST:PORT` as its only stdout line once it listens. Flags: --data FILE (required), --symbol
 * (default: from the file name), --speed MS per bar (default 1000), --port N (default 4002, IB Gateway's
 * paper port; 0 picks a free one), --host, --account (default DU1234567), --cash (default 100000),
 * --tick (execution price grid, default 0.01), --until-bar N.
 */
import { parseArgs } from 'node:util';
import { KeelError } from '../../model/index.ts';
import { defaultInstrumentId, loadMarketData } from '../../data/index.ts';
import { startTwsServer, type TwsServerOptions } from './server.ts';

function int(v: string | undefined, field: string, min: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new KeelError('BAD_NUMBER', `must be an integer ≥ ${min}`, { field, value: v });
  return n;
}

/** The server options of `keel venue --api ib` flags; a KeelError naming the flag otherwise. */
export function parseIbVenueArgs(argv: readonly string[]): TwsServerOptions {
  let f: Record<string, string | undefined>;
  try {
    f = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: Object.fromEntries(['api', 'data', 'symbol', 'speed', 'port', 'host', 'account', 'cash', 'tick', 'until-bar'].map((k) => [k, { type: 'string' as const }])),
    }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new KeelError('BAD_ARGUMENT', (e as Error).message.split('\n')[0], { field: 'keel venue --api ib' });
  }
  const path = f.data;
  if (path === undefined) throw new KeelError('MISSING_FLAG', 'is required', { field: '--data', hint: 'a CSV of bars, e.g. ../shared/data/daily/ORCL-1995-2014.csv' });
  const data = loadMarketData(path);
  if (data.kind !== 'bars') throw new KeelError('BAD_DATA', 'must hold bars (the fake TWS replays bars as real-time bars)', { field: '--data', value: path });
  const until = f['until-bar'] === undefined ? data.bars.length : int(f['until-bar'], '--until-bar', 1, data.bars.length);
  if (f.cash !== undefined && !/^\d+(\.\d+)?$/.test(f.cash)) throw new KeelError('BAD_NUMBER', 'must be a positive decimal', { field: '--cash', value: f.cash });
  if (f.tick !== undefined && !/^\d+(\.\d+)?$/.test(f.tick)) throw new KeelError('BAD_NUMBER', 'must be a positive decimal', { field: '--tick', value: f.tick });
  return {
    contracts: [{ symbol: f.symbol ?? defaultInstrumentId(path), tick: f.tick }],
    port: int(f.port, '--port', 0, 4002), host: f.host ?? '127.0.0.1', account: f.account, cash: f.cash,
    bars: { data: data.bars.slice(0, until), intervalMs: int(f.speed, '--speed', 1, 1000) }, matching: 'auto',
  };
}

/**
 * The CLI entry: start the fake TWS, print `HOST:PORT`, run until SIGTERM/SIGINT; resolves to the exit
 * code. A bad flag or data file is one line on stderr and exit code 2.
 *
 * @example process.exitCode = await ibVenueCommand(['--data', 'ORCL.csv', '--port', '0']);
 */
export async function ibVenueCommand(argv: string[]): Promise<number> {
  let server;
  try {
    server = await startTwsServer({ ...parseIbVenueArgs(argv), log: (line) => process.stderr.write(`${line}\n`) });
  } catch (e) {
    if (!(e instanceof KeelError) && (e as { code?: unknown }).code !== 'EADDRINUSE') throw e;
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${server.host}:${server.port}\n`);
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
