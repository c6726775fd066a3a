import type { ApprovedOrder } from '../../../../src/risk/index.ts';
import type { VenueReport } from '../../../../src/model/index.ts';
import { RateBudget } from '../../../../src/venues/net/index.ts';
import { createAlpacaVenue, type AlpacaVenue } from '../../../../src/venues/alpaca/index.ts';
import { FakeAlpaca, KEY, SECRET } from './fake-alpaca.ts';

export interface Harness {
  server: FakeAlpaca;
  venue: AlpacaVenue;
  reports: VenueReport[];
  logs: string[];
  close(): Promise<void>;
}

/** A fake Alpaca and a connected venue with short timeouts, credentials from the environment. */
export async function harness(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const server = new FakeAlpaca();
  await server.start();
  const reports: VenueReport[] = [];
  const logs: string[] = [];
  const venue = await createAlpacaVenue({
    paper: true, tradingUrl: server.url, dataUrl: server.url, streamUrl: server.wsUrl, dataStreamUrl: `ws://127.0.0.1:${server.port}`,
    symbols: ['AAPL', { symbol: 'BTC/USD', id: 'BTCUSD' }], seed: 7,
    timeouts: { requestMs: 300, connectMs: 2000 }, retry: { attempts: 3, baseMs: 20, maxMs: 100 },
    resolve: { attempts: 3, baseMs: 40, maxMs: 100 }, reconnect: { baseMs: 20, maxMs: 100 },
    ...overrides,
  }, { env: { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }, budget: new RateBudget(), log: (l) => logs.push(l) });
  venue.onReport((r) => reports.push(r));
  return { server, venue, reports, logs, close: async () => { await venue.close(); await server.stop(); } };
}

let n = 0;
export function order(o: Record<string, unknown> = {}): ApprovedOrder {
  return {
    clientOrderId: `S-${++n}`, strategyId: 'S', instrumentId: 'AAPL', side: 'buy', quantity: 10, timeInForce: 'DAY', reduceOnly: false,
    createdAt: Date.now(), tag: undefined, type: 'limit', limitPrice: 17478, ...o,
  } as unknown as ApprovedOrder;
}

/** Wait until `cond` holds (polling), failing after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function types(reports: readonly VenueReport[], id?: string): string[] {
  return reports.filter((r) => id === undefined || r.clientOrderId === id).map((r) => r.type);
}
