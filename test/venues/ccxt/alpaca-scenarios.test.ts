import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { OrderRequest, VenueReport } from '../../../src/model/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue } from '../../../src/venues/ccxt/index.ts';
import { API_KEY, SECRET, alpacaConfig, alpacaLoopback } from './alpaca-helpers.ts';
import { on, type Route } from './loopback.ts';

// Scripted Alpaca behaviour over loopback: orders, fills, timeouts, rate limits, refusals; all through
// ccxt's real HTTP code. Order and activity bodies follow Alpaca's public API docs.

const LIMIT_BUY: OrderRequest = {
  clientOrderId: 'keel-7', strategyId: 'sma', instrumentId: 'LTC/USD', side: 'buy', type: 'limit', quantity: 70_000_000 as never,
  limitPrice: 6731 as never, timeInForce: 'GTC', reduceOnly: false, createdAt: 0, tag: undefined,
};

/** A tiny Alpaca account: orders by id, fills as account activities. */
function fakeAlpaca(o: { fillOnCreate?: boolean; createDelayMs?: number; failCreate?: { status: number; json: unknown; headers?: Record<string, string> }[] } = {}) {
  const orders = new Map<string, Record<string, unknown>>();
  const fills: Record<string, unknown>[] = [];
  let n = 0;
  const failures = [...(o.failCreate ?? [])];
  const routes: Route[] = [
    on('POST', '/v2/orders', (req) => {
      const f = failures.shift();
      if (f) return { status: f.status, json: f.json, headers: f.headers };
      const b = JSON.parse(req.body);
      const id = `ord-${++n}`;
      // Now, not a fixed date: ccxt filters fetched trades by `since` on the client too.
      const now = new Date().toISOString();
      const order = { id, client_order_id: b.client_order_id, symbol: b.symbol, qty: b.qty, filled_qty: '0', filled_avg_price: null, type: b.type, order_type: b.type, side: b.side, time_in_force: b.time_in_force, limit_price: b.limit_price ?? null, status: 'new', submitted_at: now };
      orders.set(id, order);
      if (o.fillOnCreate) {
        Object.assign(order, { status: 'filled', filled_qty: b.qty, filled_avg_price: b.limit_price, filled_at: now });
        fills.push({ id: `20240718050001000::fill-${id}`, activity_type: 'FILL', transaction_time: now, type: 'fill', price: b.limit_price, qty: b.qty, side: b.side, symbol: b.symbol, leaves_qty: '0', order_id: id, cum_qty: b.qty, order_status: 'filled' });
      }
      return { json: { ...order, status: 'accepted' }, delayMs: o.createDelayMs };
    }),
    on('GET', '/v2/orders', (req) => ({ json: [...orders.values()].filter((x) => (req.query.get('status') === 'open') === (x.status === 'new')) })),
    on('GET', /^\/v2\/orders\/[^/]+$/, (req) => ({ json: orders.get(req.path.split('/').pop()!) ?? { code: 40410000, message: 'order is not found.' }, status: orders.has(req.path.split('/').pop()!) ? 200 : 404 })),
    on('GET', '/v2/account/activities/FILL', { json: fills }),
    on('GET', '/v2/account', { json: { currency: 'USD', cash: '995.29', equity: '1000', position_market_value: '4.71' } }),
    on('GET', '/v2/positions', { json: [{ symbol: 'LTCUSD', qty: '0.07', qty_available: '0.07', side: 'long' }] }),
  ];
  return { orders, fills, routes };
}

/** Everything the venue says, in order. */
function record(venue: CcxtVenue) {
  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  return reports;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('createOrder → accepted → filled via polling, then query() shows the order, the fill, cash and position', async (t) => {
  const fake = fakeAlpaca({ fillOnCreate: true });
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget() });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.some((r) => r.type === 'order.filled'));
  assert.deepEqual(reports.map((r) => r.type), ['order.accepted', 'order.filled']);
  const filled = reports[1] as Extract<VenueReport, { type: 'order.filled' }>;
  assert.equal(filled.fill.tradeId, '20240718050001000::fill-ord-1');
  assert.equal(filled.fill.price, 6731);
  assert.equal(filled.fill.quantity, 70_000_000);
  assert.equal(filled.leavesQuantity, 0);
  assert.equal(JSON.parse(server.seen.find((s) => s.method === 'POST')!.body).client_order_id, 'keel-7');

  const snap = await venue.query();
  assert.deepEqual(snap.orders.find((o) => o.clientOrderId === 'keel-7'), { clientOrderId: 'keel-7', status: 'FILLED', venueOrderId: 'ord-1' });
  assert.equal(snap.fills.length, 1);
  assert.equal(snap.fills[0].clientOrderId, 'keel-7');
  assert.equal(snap.positions['LTC/USD'], 70_000_000);
  assert.equal(snap.cash, 995_290_000_000_000n);
  assert.deepEqual(venue.openOrders(), []);
});

test('a createOrder timeout → order.unknown → found by client order id → accepted and filled, with one POST only', async (t) => {
  const fake = fakeAlpaca({ fillOnCreate: true, createDelayMs: 1_500 });
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url, { timeoutMs: 300 }), { budget: new RateBudget() });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.some((r) => r.type === 'order.filled'));
  assert.deepEqual(reports.map((r) => r.type), ['order.unknown', 'order.accepted', 'order.filled']);
  assert.match((reports[0] as { reason: string }).reason, /RequestTimeout/);
  assert.equal(server.seen.filter((s) => s.method === 'POST').length, 1, 'never resubmitted');
});

test('a createOrder timeout for an order the exchange never got → rejected after the lookups, never resent', async (t) => {
  const fake = fakeAlpaca({ failCreate: [{ status: 200, json: {} }] });
  fake.routes.unshift(on('POST', '/v2/orders', { delayMs: 1_500, json: {} })); // the order is lost in flight
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url, { timeoutMs: 300 }), { budget: new RateBudget() });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.some((r) => r.type === 'order.rejected'));
  assert.deepEqual(reports.map((r) => r.type), ['order.unknown', 'order.rejected']);
  assert.match((reports[1] as { reason: string }).reason, /never reached the exchange \(not resubmitted\)/);
  assert.equal(server.seen.filter((s) => s.method === 'POST').length, 1);
});

test('429 with Retry-After → the account budget pauses, the create is retried and placed once', async (t) => {
  const fake = fakeAlpaca({ failCreate: [{ status: 429, json: { code: 42910000, message: 'rate limit exceeded' }, headers: { 'Retry-After': '0.3' } }] });
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const lines: string[] = [];
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget(), log: (l) => lines.push(l) });
  t.after(() => venue.close());
  const reports = record(venue);
  const t0 = Date.now();
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.some((r) => r.type === 'order.accepted'));
  const posts = server.seen.filter((s) => s.method === 'POST');
  assert.equal(posts.length, 2);
  assert.ok(Date.now() - t0 >= 290, 'waited for Retry-After');
  assert.equal(fake.orders.size, 1);
  assert.ok(lines.some((l) => /createOrder: RateLimitExceeded, retrying/.test(l)), lines.join('\n'));
});

test('InsufficientFunds → order.rejected with the exchange\'s reason', async (t) => {
  const fake = fakeAlpaca({ failCreate: [{ status: 403, json: { available: '0', balance: '0', code: 40310000, message: 'insufficient balance for USD (requested: 4.71, available: 0)', symbol: 'USD' } }] });
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget() });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.length > 0);
  assert.deepEqual(reports.map((r) => r.type), ['order.rejected']);
  assert.equal((reports[0] as { reason: string }).reason, 'InsufficientFunds: insufficient balance for USD (requested: 4.71, available: 0)');
});

test('replace without editOrder support is refused; cancel goes to the exchange', async (t) => {
  const fake = fakeAlpaca();
  fake.routes.unshift(on('DELETE', /^\/v2\/orders\//, (req) => {
    const o = fake.orders.get(req.path.split('/').pop()!);
    if (o) o.status = 'canceled';
    return { status: 204, text: '' };
  }));
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget() });
  t.after(() => venue.close());
  (venue.capabilities as { editOrder: boolean }).editOrder = false;
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.length > 0);
  venue.replace(markApproved({ ...LIMIT_BUY, limitPrice: 6700 as never }));
  venue.cancel('keel-7');
  await until(() => reports.some((r) => r.type === 'order.canceled'));
  assert.deepEqual(reports.map((r) => r.type), ['order.accepted', 'order.update-rejected', 'order.canceled']);
  assert.match((reports[1] as { reason: string }).reason, /has.editOrder is false/);
});

test('secrets never appear in anything logged, thrown, reported or printed', async (t) => {
  const out: string[] = [];
  const originals = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  for (const k of Object.keys(originals) as Array<keyof typeof originals>) console[k] = (...a: unknown[]) => { out.push(a.map((x) => inspect(x)).join(' ')); };
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => { out.push(String(chunk)); return true; }) as typeof process.stderr.write;
  t.after(() => { Object.assign(console, originals); process.stderr.write = write; });

  // The exchange echoes the secret in its error body, as some do with a bad signature.
  const fake = fakeAlpaca({ failCreate: [{ status: 403, json: { code: 40310000, message: `insufficient balance; key ${API_KEY} secret ${SECRET}` } }] });
  fake.routes.unshift(on('GET', '/v2/account/activities/FILL', { status: 500, json: { message: `upstream said ${SECRET}` } }));
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const venue = await CcxtVenue.connect(alpacaConfig(server.url), { budget: new RateBudget(), log: (l) => out.push(l) });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.length > 0);
  venue.submit(markApproved({ ...LIMIT_BUY, clientOrderId: 'keel-8' }));
  await until(() => reports.length > 1);
  await new Promise((r) => setTimeout(r, 200)); // a failing poll of the fills
  out.push(inspect(venue), JSON.stringify(venue), ...reports.map((r) => JSON.stringify(r)));
  await venue.query().catch((e: Error) => out.push(e.message, String(e.stack)));

  // Refused credentials on connect: one line, no secret.
  const denied = await alpacaLoopback([on('GET', '/v2/assets', { status: 401, json: { code: 40110000, message: 'request is not authorized' } })]);
  t.after(() => denied.close());
  const err = await CcxtVenue.connect(alpacaConfig(denied.url), { budget: new RateBudget() }).catch((e: Error) => e);
  assert.ok(err instanceof Error);
  assert.equal(err.message, 'ccxt.apiKey: alpaca refused the credentials (PermissionDenied) (check apiKey/secret in the config or KEEL_CCXT_ALPACA_API_KEY / KEEL_CCXT_ALPACA_SECRET)');
  out.push(err.message, String(err.stack));

  const all = out.join('\n');
  assert.ok(all.includes('[redacted]'), 'the echoed secret was seen and redacted');
  assert.ok(!all.includes(SECRET), 'secret leaked:\n' + all.split('\n').filter((l) => l.includes(SECRET)).join('\n'));
});

test('credentials come from KEEL_CCXT_<EXCHANGE>_API_KEY / _SECRET when not in the config', async (t) => {
  const fake = fakeAlpaca({ fillOnCreate: true });
  const server = await alpacaLoopback(fake.routes);
  t.after(() => server.close());
  const { apiKey: _k, secret: _s, ...noCreds } = alpacaConfig(server.url);
  const venue = await CcxtVenue.connect(noCreds, { budget: new RateBudget(), env: { KEEL_CCXT_ALPACA_API_KEY: 'ENVKEY123', KEEL_CCXT_ALPACA_SECRET: 'ENVSECRET123' } });
  t.after(() => venue.close());
  const reports = record(venue);
  venue.submit(markApproved(LIMIT_BUY));
  await until(() => reports.length > 1);
  const post = server.seen.find((s) => s.method === 'POST')!;
  assert.equal(post.headers['apca-api-key-id'], 'ENVKEY123');
  assert.equal(post.headers['apca-api-secret-key'], 'ENVSECRET123');
});
