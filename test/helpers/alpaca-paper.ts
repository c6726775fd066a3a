import { parseMoney } from '../../src/model/index.ts';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/index.ts';
import { openSqliteJournal, type Journal } from '../../src/store/index.ts';
import { createAlpacaVenue, parseAlpacaConfig, symbolMappings, type AlpacaVenue } from '../../src/venues/index.ts';
import { startAlpacaVenueServer, type AlpacaVenueServer, type AlpacaVenueServerOptions } from '../../src/venues/alpaca-server/index.ts';
import { runPaperEngine, type PaperEngineOptions, type PaperRunSummary } from '../../src/runtime/index.ts';
import { ORCL } from './cli.ts';

export const KEY = 'PKE2E';
export const SECRET = 'e2e-secret-never-printed-91c2';

/**
 * The Alpaca-compatible venue on ORCL with one key and 100000 cash, commission-free like Alpaca's stock
 * trading (Alpaca reports no fee on a fill; the adapter books none).
 */
export function startAlpacaVenue(o: Partial<AlpacaVenueServerOptions> = {}): Promise<AlpacaVenueServer> {
  return startAlpacaVenueServer({
    dataPath: ORCL, barIntervalMs: 'manual', keys: [{ keyId: KEY, secret: SECRET }], initialCash: parseMoney('100000', 'cash'),
    seed: 11, ...o,
  });
}

/** The adapter's config for that venue (every endpoint on the local server). */
export function alpacaConfig(server: AlpacaVenueServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ws = server.url.replace(/^http/, 'ws');
  return {
    keyId: KEY, secret: SECRET, tradingUrl: server.url, dataUrl: server.url, streamUrl: `${ws}/stream`, dataStreamUrl: ws,
    symbols: [{ symbol: 'ORCL', priceTick: '0.000001' }], seed: 3,
    timeouts: { requestMs: 2_000, connectMs: 2_000 }, retry: { baseMs: 20, maxMs: 200 }, reconnect: { baseMs: 20, maxMs: 200 },
    resolve: { baseMs: 20, maxMs: 200 }, heartbeat: { silenceMs: 2_000, timeoutMs: 1_000 },
    ...extra,
  };
}

export interface PaperSession {
  readonly venue: AlpacaVenue;
  readonly logs: string[];
  /** Resolves with the engine's summary once stopped. */
  readonly done: Promise<PaperRunSummary>;
  stop(): Promise<PaperRunSummary>;
}

/** sma-cross 2/5 through the real engine (risk gate, OMS, journal) against the venue via the Alpaca adapter. */
export async function startPaperSession(server: AlpacaVenueServer, journal: Journal, extra: Record<string, unknown> = {}, engine: Partial<PaperEngineOptions> = {}): Promise<PaperSession> {
  const logs: string[] = [];
  const venue = await createAlpacaVenue(alpacaConfig(server, extra), { log: (l) => logs.push(l) });
  const stop = new AbortController();
  let trading: () => void = () => {};
  const started = new Promise<void>((res) => { trading = res; });
  const done = runPaperEngine({
    account: 'paper', strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params: { fast: 2, slow: 5 }, strategyVersion: 'e2e',
    instrument: symbolMappings(parseAlpacaConfig(alpacaConfig(server, extra)))[0].instrument,
    initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: 100 }, journal, venue, signal: stop.signal, onTrading: () => trading(), ...engine,
  });
  // Faults are switched on once the engine trades, not during its start-up reconciliation.
  await Promise.race([started, done]);
  return {
    venue, logs, done,
    async stop() {
      stop.abort();
      try {
        return await done;
      } finally {
        await venue.close();
      }
    },
  };
}

/** Step the manual market one bar at a time, letting the engine and the adapter settle after each. */
export async function stepBars(server: AlpacaVenueServer, venue: AlpacaVenue, bars: number, settleMs = 15): Promise<void> {
  for (let i = 0; i < bars; i++) {
    server.step(1);
    await new Promise((r) => setTimeout(r, settleMs));
    await venue.idle();
  }
}

export { openSqliteJournal };
