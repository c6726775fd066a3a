import { readFileSync } from 'node:fs';
import { on, parseFixture, startLoopback, type Route } from './loopback.ts';

export const FIXTURES = '/work/shared/fixtures/ccxt';
export const RESPONSES = parseFixture(readFileSync(`${FIXTURES}/response/alpaca.excerpt.json`, 'utf8'));
export const REQUESTS = JSON.parse(readFileSync(`${FIXTURES}/request/alpaca.json`, 'utf8'));

/** Test credentials: distinctive so a leak is found by a plain substring search. */
export const API_KEY = 'PKLOOPBACKKEY0001';
export const SECRET = 'sEcReT-loopback-9f8e7d6c5b4a';

/** The recorded response of a fixture method (first case). */
export function recorded(method: string): { input: unknown[]; httpResponse: unknown; parsedResponse: unknown } {
  return RESPONSES.methods[method][0];
}

/**
 * Alpaca's asset list (GET /v2/assets), written by hand in the shape of Alpaca's public API docs: ccxt's
 * markets come from it. BTC/USD: 4 price decimals as in the recorded bars, 9 amount decimals.
 */
export const ASSETS = [
  { id: '276e2673-764b-4ab6-a611-caf665ca6340', class: 'crypto', exchange: 'CRYPTO', symbol: 'BTC/USD', name: 'Bitcoin / US Dollar', status: 'active', tradable: true, marginable: false, maintenance_margin_requirement: 100, shortable: false, easy_to_borrow: false, fractionable: true, attributes: [], min_order_size: '0.0001', min_trade_increment: '0.000000001', price_increment: '0.0001' },
  { id: '71bb0c3c-0c9d-4e32-9c3d-2b0c3f1e4a11', class: 'crypto', exchange: 'CRYPTO', symbol: 'LTC/USD', name: 'Litecoin / US Dollar', status: 'active', tradable: true, marginable: false, maintenance_margin_requirement: 100, shortable: false, easy_to_borrow: false, fractionable: true, attributes: [], min_order_size: '0.01', min_trade_increment: '0.000000001', price_increment: '0.01' },
];

/** URL paths of the recorded methods (from ccxt's alpaca endpoint table). */
export const PATHS: Record<string, string> = {
  fetchTime: '/v2/clock',
  fetchTrades: '/v1beta3/crypto/us/trades',
  fetchOrderBook: '/v1beta3/crypto/us/latest/orderbooks',
  fetchTicker: '/v1beta3/crypto/us/snapshots',
  fetchOHLCV: '/v1beta3/crypto/us/bars',
  fetchMyTrades: '/v2/account/activities/FILL',
};

/** A loopback Alpaca serving the assets and every recorded response at its path, plus `extra` routes first. */
export async function alpacaLoopback(extra: Route[] = []) {
  const routes: Route[] = [...extra, on('GET', '/v2/assets', { json: ASSETS })];
  for (const [method, path] of Object.entries(PATHS)) routes.push(on('GET', path, { text: JSON.stringify(recorded(method).httpResponse) }));
  return startLoopback(routes);
}

/** Venue config pointing every Alpaca API group at the loopback server. */
export function alpacaConfig(url: string, more: Record<string, unknown> = {}) {
  return {
    exchange: 'alpaca', apiKey: API_KEY, secret: SECRET, sandbox: true, streaming: 'poll', marketData: 'none',
    urls: { broker: url, trader: url, market: url }, rateLimitMs: 1, pollIntervalMs: 50, timeoutMs: 1_000,
    retry: { attempts: 4, baseMs: 5, maxMs: 50 }, unknownOrder: { lookups: 2, delayMs: 20 },
    symbols: [{ symbol: 'BTC/USD', lotSize: '0.00000001' }, 'LTC/USD'],
    ...more,
  };
}
