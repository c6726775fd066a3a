import { KeelError } from '../../model/index.ts';
import { simVenueCommand } from '../../venues/sim-server/index.ts';

export const VENUE_HELP = `keel venue: a local venue to paper trade against, replaying a CSV of bars as the market

  keel venue --api alpaca --data FILE --keys KEYID:SECRET[:CASH] [--speed 1x|10x|max|manual|MS] [--port N]
      speaks Alpaca's trading and market data API (REST + WebSocket) over the sim matching engine, with seeded
      faults; prints its base URL, then "replay finished" when the data is used up. Every flag, the endpoints
      and the faults: docs/venue-server.md. KEEL_ALPACA_KEYS instead of --keys keeps secrets out of ps.

  keel venue --api ib --data FILE [--speed MS] [--port 4002] [--account DU1234567] [--cash 100000]
      a local stand-in for TWS / IB Gateway: the TWS socket API (server version 176), orders matched on each
      replayed bar; prints HOST:PORT. For keel paper with an ib venue without a gateway (docs/ib.md).

  keel venue [--api keel] --data FILE [--port 7400] [--bar-ms 5] [--cash 100000] [fees as keel backtest]
      the sim venue server, Keel's own protocol (keel paper --venue HOST:PORT and the crash tests); prints
      "listening PORT", then "replay finished" when the data is used up. Flags: --host, --instrument, --tick,
      --lot, --timezone, --until-bar N, --slippage none|bps:N|half-spread:N, --latency-ms N,
      --limit-fill through|touch, --participation R, --name NAME.

  All run until SIGTERM or Ctrl-C.
`;

/** `keel venue`: `--api alpaca` the Alpaca-compatible server, `--api ib` the fake TWS, otherwise (or `--api keel`) the sim protocol server. */
export async function venueCommand(argv: string[]): Promise<number> {
  const api = argv.find((_, i) => argv[i - 1] === '--api') ?? argv.find((a) => a.startsWith('--api='))?.slice(6);
  // Loaded on demand: the server's HTTP stack is not needed by any other command.
  if (api === 'alpaca') return (await import('../../venues/alpaca-server/index.ts')).alpacaVenueCommand(argv);
  if (api === 'ib') return (await import('../../venues/ib-server/cli.ts')).ibVenueCommand(argv);
  if (api !== undefined && api !== 'keel') throw new KeelError('BAD_ARGUMENT', 'must be alpaca, ib or keel', { field: '--api', value: api });
  await simVenueCommand(argv.filter((a, i) => a !== '--api' && argv[i - 1] !== '--api' && !a.startsWith('--api=')));
  return new Promise<number>(() => {}); // serves until SIGTERM or SIGINT
}
