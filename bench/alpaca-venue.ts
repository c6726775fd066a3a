import { MACHINE } from './machine.ts';
import { parseMoney } from '../src/model/index.ts';
import { startAlpacaVenueServer } from '../src/venues/alpaca-server/index.ts';

const KEY = 'PKBENCH';
const SECRET = 'bench-secret';
const HEADERS = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' };

/** Send `count` orders from `concurrency` parallel clients; orders per second over real loopback HTTP. */
async function submitRate(url: string, count: number, concurrency: number, body: (i: number) => object): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await fetch(`${url}/v2/orders`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body(i)) });
      if (r.status !== 200) throw new Error(`order ${i}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - t0) / 1000);
}

/**
 * Throughput of the Alpaca-compatible venue server: POST /v2/orders over loopback HTTP with keep-alive, first
 * limit orders far below the market (they rest: parse, checks, booking, the matching engine's arrival), then
 * market orders (the same, filled at the next bar). One line per scenario, with the machine.
 *
 * @example console.log(await benchAlpacaVenue());
 */
export async function benchAlpacaVenue(): Promise<string> {
  const machine = MACHINE;
  const count = Number(process.env.KEEL_BENCH_ORDERS ?? 5000);
  const venue = await startAlpacaVenueServer({
    dataPath: '../shared/data/daily/ORCL-1995-2014.csv', barIntervalMs: 'manual', seed: 1,
    keys: [{ keyId: KEY, secret: SECRET, initialCash: parseMoney('1000000000', 'cash') }],
  });
  try {
    venue.step(1);
    const limit = (i: number) => ({ symbol: 'ORCL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'gtc', limit_price: '0.5', client_order_id: `l-${i}` });
    const market = (i: number) => ({ symbol: 'ORCL', qty: '1', side: 'buy', type: 'market', time_in_force: 'gtc', client_order_id: `m-${i}` });
    await submitRate(venue.url, 200, 8, (i) => limit(1_000_000 + i)); // warm-up
    const resting = await submitRate(venue.url, count, 8, limit);
    const marketRate = await submitRate(venue.url, count, 8, market);
    const t0 = performance.now();
    venue.step(1);
    const matchMs = performance.now() - t0;
    const fills = venue.stats().fills;
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    return [
      `alpaca venue, POST /v2/orders resting limits: ${fmt(resting)} orders/s (${count} orders, 8 clients, loopback HTTP) [${machine}]`,
      `alpaca venue, POST /v2/orders market orders:  ${fmt(marketRate)} orders/s (${count} orders; next bar matched ${fills} fills in ${matchMs.toFixed(0)} ms) [${machine}]`,
    ].join('\n');
  } finally {
    await venue.close();
  }
}

if (import.meta.main) console.log(await benchAlpacaVenue());
