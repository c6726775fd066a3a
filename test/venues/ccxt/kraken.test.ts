import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderRequest, VenueReport } from '../../../src/model/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue } from '../../../src/venues/ccxt/index.ts';
import { on, startLoopback } from './loopback.ts';

// A second exchange: Kraken's spot REST API, scripted by hand from Kraken's public API reference
// (every answer is {"error": [], "result": …}; private calls are form-encoded POSTs). Only the calls the
// adapter makes are answered: AssetPairs, Assets, OHLC, AddOrder, OpenOrders, QueryOrders, TradesHistory.

const SECRET = Buffer.from('kraken-loopback-secret-0123456789').toString('base64');

function krakenRoutes(state: { orders: Map<string, Record<string, unknown>>; trades: Record<string, unknown> }) {
  const ok = (result: unknown) => ({ json: { error: [], result } });
  return [
    on('GET', '/0/public/Assets', ok({
      XXBT: { aclass: 'currency', altname: 'XBT', decimals: 10, display_decimals: 5, status: 'enabled' },
      ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, status: 'enabled' },
    })),
    on('GET', '/0/public/AssetPairs', ok({
      XXBTZUSD: { altname: 'XBTUSD', wsname: 'XBT/USD', aclass_base: 'currency', base: 'XXBT', aclass_quote: 'currency', quote: 'ZUSD', lot: 'unit', cost_decimals: 5, pair_decimals: 1, lot_decimals: 8, lot_multiplier: 1, leverage_buy: [], leverage_sell: [], fees: [[0, 0.26]], fees_maker: [[0, 0.16]], fee_volume_currency: 'ZUSD', margin_call: 80, margin_stop: 40, ordermin: '0.00005', costmin: '0.5', tick_size: '0.1', status: 'online' },
    })),
    on('GET', '/0/public/OHLC', ok({
      XXBTZUSD: [[1721278920, '64625.4', '64625.4', '64598.5', '64616.2', '64610.0', '0.01515521', 3], [1721278980, '64616.2', '64630.0', '64616.2', '64630.0', '64620.0', '0.00100000', 1]],
      last: 1721278920,
    })),
    on('POST', '/0/private/AddOrder', (req) => {
      const b = new URLSearchParams(req.body);
      const txid = `O${state.orders.size + 1}ABCD-EFGHI-JKLMNO`;
      state.orders.set(txid, { refid: null, userref: 0, cl_ord_id: b.get('cl_ord_id'), status: 'closed', opentm: Date.now() / 1000, closetm: Date.now() / 1000, descr: { pair: 'XBTUSD', type: b.get('type'), ordertype: b.get('ordertype'), price: b.get('price') }, vol: b.get('volume'), vol_exec: b.get('volume'), cost: '6.46', fee: '0.01', price: b.get('price') });
      state.trades[`T${state.orders.size}XYZW-ABCDE-FGHIJK`] = { ordertxid: txid, postxid: 'TKH2SE-M7IF5-CFI7LT', pair: 'XXBTZUSD', time: Date.now() / 1000, type: b.get('type'), ordertype: b.get('ordertype'), price: b.get('price'), cost: '6.4625', fee: '0.0168', vol: b.get('volume'), margin: '0.00000', misc: '' };
      return ok({ descr: { order: `${b.get('type')} ${b.get('volume')} XBTUSD @ limit ${b.get('price')}` }, txid: [txid] });
    }),
    on('POST', '/0/private/OpenOrders', ok({ open: {} })),
    on('POST', '/0/private/QueryOrders', (req) => {
      const txid = new URLSearchParams(req.body).get('txid')!;
      return ok({ [txid]: state.orders.get(txid) });
    }),
    on('POST', '/0/private/TradesHistory', () => ok({ trades: state.trades, count: Object.keys(state.trades).length })),
  ];
}

test('kraken: markets, exact bars, and a limit order filled via polling with string trade ids', async (t) => {
  const state = { orders: new Map<string, Record<string, unknown>>(), trades: {} as Record<string, unknown> };
  const server = await startLoopback(krakenRoutes(state));
  t.after(() => server.close());
  const venue = await CcxtVenue.connect({
    exchange: 'kraken', apiKey: 'kraken-key', secret: SECRET, streaming: 'poll', marketData: 'none', symbols: ['BTC/USD'],
    urls: { public: server.url, private: server.url }, rateLimitMs: 1, pollIntervalMs: 50, retry: { attempts: 3, baseMs: 5, maxMs: 20 },
  }, { budget: new RateBudget() });
  t.after(() => venue.close());
  const [btc] = venue.markets;
  assert.equal(btc.instrument.priceTick, '0.1');
  assert.equal(btc.instrument.lotSize, '0.00000001');
  assert.deepEqual(venue.capabilities.timeInForce, ['GTC', 'IOC', 'FOK']);
  assert.deepEqual(venue.capabilities.orderTypes, ['market', 'limit', 'stop']);
  assert.equal(venue.capabilities.editOrder, true);
  assert.equal(venue.capabilities.rateLimitMs, 1);

  const bars = await venue.fetchBars('BTC/USD');
  assert.deepEqual(bars[0], { type: 'bar', instrumentId: 'BTC/USD', ts: 1721278920000, open: 64625.4, high: 64625.4, low: 64598.5, close: 64616.2, volume: 0.01515521 });

  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  const order: OrderRequest = {
    clientOrderId: 'k-1', strategyId: 's', instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: 10_000 as never,
    limitPrice: 646254 as never, timeInForce: 'GTC', reduceOnly: false, createdAt: 0, tag: undefined,
  };
  venue.submit(markApproved(order));
  const end = Date.now() + 5_000;
  while (!reports.some((r) => r.type === 'order.filled') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(reports.map((r) => r.type), ['order.accepted', 'order.filled']);
  const add = new URLSearchParams(server.seen.find((s) => s.path === '/0/private/AddOrder')!.body);
  assert.equal(add.get('cl_ord_id'), 'k-1');
  assert.equal(add.get('volume'), '0.0001');
  assert.equal(add.get('price'), '64625.4');
  assert.ok(server.seen.find((s) => s.path === '/0/private/AddOrder')!.headers['api-sign'], 'signed');
  const fill = (reports[1] as Extract<VenueReport, { type: 'order.filled' }>).fill;
  assert.equal(fill.tradeId, 'T1XYZW-ABCDE-FGHIJK');
  assert.equal(fill.venueOrderId, 'O1ABCD-EFGHI-JKLMNO');
  assert.equal(fill.price, 646254);
  assert.equal(fill.quantity, 10_000);
  assert.equal(fill.fee, 16_800_000_000n); // 0.0168 USD in 10^-12
});
