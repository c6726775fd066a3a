import { test } from 'node:test';
import assert from 'node:assert/strict';
import ccxt from 'ccxt';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue, parseCcxtConfig, toFill, toQuote } from '../../../src/venues/ccxt/index.ts';
import { createExchange } from '../../../src/venues/ccxt/exchange.ts';
import { PATHS, REQUESTS, alpacaConfig, alpacaLoopback, recorded } from './alpaca-helpers.ts';
import { on, startLoopback } from './loopback.ts';

// The recorded Alpaca responses (ccxt's static test data) replayed through ccxt's real HTTP path over a
// loopback socket: ccxt's parse must equal the recorded parse, and Keel's conversion must be exact.

/**
 * ccxt's parse without `info` (the raw body; compared separately where it matters) and without empty
 * values: the recording wrote ccxt's `undefined` as JSON null.
 */
function unified(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'info' || v === null ? undefined : v)));
}

test('ccxt parses each recorded response as recorded (fetchTime, fetchTrades, fetchOrderBook, fetchTicker, fetchOHLCV, fetchMyTrades)', async (t) => {
  const server = await alpacaLoopback();
  t.after(() => server.close());
  const ex = createExchange(parseCcxtConfig(alpacaConfig(server.url), {}), { onRetryAfter: () => {} });
  await ex.loadMarkets();
  for (const method of Object.keys(PATHS)) {
    const r = recorded(method);
    const got = await (ex as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...r.input);
    const want = unified(JSON.parse(JSON.stringify(r.parsedResponse))) as Record<string, unknown>;
    if (method === 'fetchTicker') {
      // The installed ccxt parses Alpaca's snapshot differently from the recording: quoteVolume was the
      // trade count `n` (105) and is now v × vw; last/change/percentage/average now derive from the daily
      // close. Keel's quote uses bid/ask only; every field taken from the body is still as recorded.
      const drift = ['quoteVolume', 'last', 'change', 'percentage', 'average'];
      const g = unified(got) as Record<string, unknown>;
      for (const k of drift) { delete g[k]; delete want[k]; }
      assert.deepEqual(g, want, method);
      assert.equal((got as { quoteVolume: number }).quoteVolume, 3.815852502 * 69879.0364983585);
      continue;
    }
    assert.deepEqual(unified(got), want, method);
    assert.ok(server.seen.some((s) => s.path === PATHS[method]), `${method} went over the socket`);
  }
});

test('trade ids beyond 2^53 stay exact strings: Keel parses the body keeping them; stock ccxt only when the body is compact', async (t) => {
  const ticker = recorded('fetchTicker').httpResponse as Record<string, any>;
  const compact = JSON.stringify(ticker); // rawJSON keeps 7446469938634049684's digits
  assert.match(compact, /"i":7446469938634049684/);
  const server = await alpacaLoopback([
    on('GET', '/v1beta3/crypto/us/snapshots', (req) => (req.query.get('pretty') ? undefined : { text: JSON.stringify(ticker, null, 1) })),
  ]);
  t.after(() => server.close());
  // Keel's exchange: exact, whatever the spacing of the body.
  const ex = createExchange(parseCcxtConfig(alpacaConfig(server.url), {}), { onRetryAfter: () => {} });
  await ex.loadMarkets();
  const keel = await ex.fetchTicker('BTC/USD');
  assert.equal((keel.info as any).latestTrade.i, '7446469938634049684');
  assert.equal((keel.info as any).latestTrade.p, 69526.91, 'other numbers stay numbers');
  // Stock ccxt re-quotes numbers only for `":123` without a space: a pretty body loses the digits.
  const stock = new ccxt.alpaca({ apiKey: 'k', secret: 's' });
  stock.urls['api'] = { broker: server.url, trader: server.url, market: server.url } as never;
  await stock.loadMarkets();
  const rounded = await stock.fetchTicker('BTC/USD');
  assert.equal((rounded.info as any).latestTrade.i, Number('7446469938634049684'), 'a double: the last digits are gone');
  server.routes.splice(0, 1, on('GET', '/v1beta3/crypto/us/snapshots', { text: compact }));
  const quoted = await stock.fetchTicker('BTC/USD');
  assert.equal((quoted.info as any).latestTrade.i, '7446469938634049684', 'compact body: ccxt quotes every number');
  assert.equal((quoted.info as any).latestTrade.p, '69526.91');
});

test('Keel conversion: bars, quote and fills on the instrument grid exactly; off-grid values are named', async (t) => {
  const server = await alpacaLoopback();
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget() });
  t.after(() => venue.close());
  const [btc, ltc] = venue.markets;
  assert.equal(btc.instrument.priceTick, '0.0001');
  assert.equal(btc.instrument.lotSize, '0.00000001');
  assert.equal(btc.amountStep, '0.000000001');

  const bars = await venue.fetchBars('BTC/USD');
  assert.deepEqual(bars, [{ type: 'bar', instrumentId: 'BTC/USD', ts: 1721278920000, open: 64625.4, high: 64625.4, low: 64598.55, close: 64616.2175, volume: 0.015155213 }]);

  const ticker = recorded('fetchTicker').parsedResponse as any;
  assert.deepEqual(toQuote(btc, ticker), { type: 'quote', instrumentId: 'BTC/USD', ts: 1730512819319, bid: 69625.1, ask: 69684.9, bidSize: 0.675524, askSize: 0.682 });

  const trade = (recorded('fetchMyTrades').parsedResponse as any[])[0];
  const fill = toFill(ltc, trade, { clientOrderId: 'c1', strategyId: 's' });
  assert.equal(fill.tradeId, '20221228071929579::ca2aafd0-1270-4b56-b0a9-85423b4a07c8');
  assert.equal(fill.venueOrderId, '82eebcf7-6e66-4b7e-93f8-be0df0e4f12e');
  assert.equal(fill.price, 6731);
  assert.equal(fill.quantity, 70_000_000); // 0.07 in lots of 1e-9
  assert.equal(fill.fee, 0n);
  assert.equal(fill.side, 'sell');

  // A coarser configured tick: the recorded low 64598.55 is not on a 0.1 grid, and the error says so.
  const coarse = await CcxtVenue.connect(alpacaConfig(server.url, { symbols: [{ symbol: 'BTC/USD', priceTick: '0.1', lotSize: '0.00000001' }] }), { budget: new RateBudget() });
  t.after(() => coarse.close());
  await assert.rejects(coarse.fetchBars('BTC/USD'), (e: Error) => {
    assert.equal(e.message, 'BTC/USD bar 2024-07-18T05:02:00.000Z high = "64625.4": is not on the grid of 0.1'.replace('high', 'low').replace('64625.4', '64598.55'));
    return true;
  });
});

test('the market grid must fit Keel fixed point: BTC/USD at 0.0001 × 1e-9 is refused with a hint', async (t) => {
  const server = await alpacaLoopback();
  t.after(() => server.close());
  await assert.rejects(CcxtVenue.connect(alpacaConfig(server.url, { symbols: ['BTC/USD'] }), { budget: new RateBudget() }), /ccxt.symbols BTC\/USD: .*more than 12 decimals.*set a coarser lotSize or priceTick/);
});

test('request shapes match ccxt\'s recorded expectations (createOrder, cancelOrder, open/closed orders)', async (t) => {
  const cases = REQUESTS.methods;
  const server = await startLoopback([
    on('GET', '/v2/assets', { json: [{ symbol: 'BTC/USD', class: 'crypto', status: 'active', min_trade_increment: '0.000000001', price_increment: '1', min_order_size: '0.0001' }, { symbol: 'LTC/USDT', class: 'crypto', status: 'active', min_trade_increment: '0.000000001', price_increment: '0.01' }] }),
    on('POST', '/v2/orders', (req) => ({ json: { id: 'o-1', client_order_id: JSON.parse(req.body).client_order_id, symbol: 'BTC/USD', status: 'accepted', qty: '0.001', filled_qty: '0', type: 'limit', side: 'buy', time_in_force: 'gtc' } })),
    on('GET', '/v2/orders', { json: [] }),
    on('DELETE', /^\/v2\/orders\//, { status: 204, text: '' }),
  ]);
  t.after(() => server.close());
  const ex = createExchange(parseCcxtConfig(alpacaConfig(server.url), {}), { onRetryAfter: () => {} });
  await ex.loadMarkets();
  for (const c of cases.createOrder) {
    const [symbol, type, side, amount, price] = c.input;
    server.seen.length = 0;
    await ex.createOrder(symbol, type, side, Number(amount), price === undefined ? undefined : Number(price), { clientOrderId: 'keel-1' });
    const sent = server.seen[0];
    assert.equal(`${sent.method} ${sent.path}`, `POST ${new URL(c.url).pathname}`, c.description);
    const body = JSON.parse(sent.body);
    const expected = JSON.parse(c.output);
    for (const k of REQUESTS.skipKeys) { delete body[k]; delete expected[k]; }
    assert.deepEqual(body, expected, c.description);
    assert.equal(JSON.parse(sent.body).client_order_id, 'keel-1', 'the Keel client order id is sent');
  }
  for (const [method, args] of [['cancelOrder', cases.cancelOrder[0]], ['fetchOpenOrders', cases.fetchOpenOrders[0]], ['fetchClosedOrders', cases.fetchClosedOrders[0]]] as const) {
    server.seen.length = 0;
    await (ex as any)[method](...args.input).catch(() => {});
    const u = new URL(args.url);
    assert.equal(server.seen[0].path, u.pathname, method);
    assert.deepEqual([...server.seen[0].query].sort(), [...u.searchParams].sort(), method);
  }
});
