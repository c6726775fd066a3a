import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MONEY_ONE, type Fill, type Lots, type OrderEvent, type OrderRequest, type PriceTicks } from '../../src/model/index.ts';
import { classifyReject, EngineMetrics, FixedHistogram, parseExposition, sampleValue, type Sample } from '../../src/ops/index.ts';

const order = (id: string, instrumentId = 'AAPL'): OrderRequest => ({
  type: 'limit', clientOrderId: id, strategyId: 's1', instrumentId, side: 'buy', quantity: 10 as Lots,
  timeInForce: 'GTC', reduceOnly: false, createdAt: 0, tag: undefined, limitPrice: 10_000 as PriceTicks,
});

const fill = (id: string, o: Partial<Fill> = {}): Fill => ({
  clientOrderId: id, venueOrderId: `v-${id}`, tradeId: `t-${id}`, strategyId: 's1', instrumentId: 'AAPL', side: 'buy',
  quantity: 10 as Lots, price: 10_002 as PriceTicks, fee: 0n, liquidity: 'taker', ts: 1, decisionPrice: 10_000 as PriceTicks, ...o,
});

const filled = (id: string, leaves: number, f: Fill = fill(id)): OrderEvent =>
  ({ type: 'order.filled', ts: 1, clientOrderId: id, fill: f, leavesQuantity: leaves as Lots });

async function scrape(m: EngineMetrics): Promise<Sample[]> {
  return parseExposition(await m.metrics());
}

/** Metrics without the process collectors: faster, and the values under test are all Keel's own. */
const bare = (now?: () => number) => new EngineMetrics({ defaultMetrics: false, ...(now ? { now } : {}) });

test('money: equity, peak, drawdown, cash and PnL per account; bigint Money and decimal strings convert', async () => {
  const m = bare();
  m.setEquity('paper', 100_000);
  m.setEquity('paper', 90_000);
  m.setCash('paper', '25000.50');
  m.setPnl('paper', { realized: 120n * MONEY_ONE + MONEY_ONE / 4n, unrealized: -3.5, daily: '-42.25' });
  m.setAccount('live', { equity: '5000', cash: 5000n * MONEY_ONE, realized: 0, unrealized: 0, daily: 0 });
  const s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_account_equity', { account: 'paper' }), 90_000);
  assert.equal(sampleValue(s, 'keel_account_peak_equity', { account: 'paper' }), 100_000);
  assert.equal(sampleValue(s, 'keel_account_drawdown_ratio', { account: 'paper' }), 0.1);
  assert.equal(sampleValue(s, 'keel_account_cash', { account: 'paper' }), 25_000.5);
  assert.equal(sampleValue(s, 'keel_pnl_realized', { account: 'paper' }), 120.25);
  assert.equal(sampleValue(s, 'keel_pnl_unrealized', { account: 'paper' }), -3.5);
  assert.equal(sampleValue(s, 'keel_pnl_daily', { account: 'paper' }), -42.25);
  assert.equal(sampleValue(s, 'keel_account_equity', { account: 'live' }), 5000);
  assert.equal(sampleValue(s, 'keel_account_cash', { account: 'live' }), 5000);
  assert.equal(sampleValue(s, 'keel_account_drawdown_ratio', { account: 'live' }), 0);
});

test('positions: quantity and exposure per instrument; a closed position disappears', async () => {
  const m = bare();
  m.setPositions([{ instrument: 'AAPL', quantity: '10', marketValue: 1500 }, { instrument: 'BTC/USD', quantity: -0.5, marketValue: -30_000 }]);
  let s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_position_quantity', { instrument: 'AAPL' }), 10);
  assert.equal(sampleValue(s, 'keel_position_quantity', { instrument: 'BTC/USD' }), -0.5);
  assert.equal(sampleValue(s, 'keel_position_exposure', { instrument: 'BTC/USD' }), -30_000);
  m.setPositions([{ instrument: 'AAPL', quantity: 20, marketValue: 3000 }]);
  s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_position_quantity', { instrument: 'AAPL' }), 20);
  assert.equal(sampleValue(s, 'keel_position_quantity', { instrument: 'BTC/USD' }), undefined);
  assert.equal(sampleValue(s, 'keel_position_exposure', { instrument: 'BTC/USD' }), undefined);
});

test('orders: events by type, open orders per status through the lifecycle, outcomes, fill ratio', async () => {
  const m = bare();
  const events: OrderEvent[] = [
    { type: 'order.submitted', ts: 1, order: order('a') },
    { type: 'order.submitted', ts: 1, order: order('b') },
    { type: 'order.submitted', ts: 1, order: order('c') },
    { type: 'order.submitted', ts: 1, order: order('d') },
    { type: 'order.denied', ts: 1, clientOrderId: 'e', check: 'max-notional', reason: 'too big' },
    { type: 'order.accepted', ts: 2, clientOrderId: 'a', venueOrderId: 'va' },
    { type: 'order.accepted', ts: 2, clientOrderId: 'b', venueOrderId: 'vb' },
    filled('a', 5),
    { type: 'order.pending-update', ts: 3, clientOrderId: 'a', order: order('a') },
    { type: 'order.update-denied', ts: 3, clientOrderId: 'b', check: 'price-collar', reason: 'far' },
    { type: 'order.rejected', ts: 3, clientOrderId: 'c', reason: 'insufficient buying power' },
    { type: 'order.unknown', ts: 3, clientOrderId: 'd', reason: 'timeout' },
  ];
  for (const e of events) m.onOrderEvent(e);
  let s = await scrape(m);
  const open = (status: string) => sampleValue(s, 'keel_orders_open', { status });
  assert.equal(open('SUBMITTED'), 0);
  assert.equal(open('ACCEPTED'), 1, 'b');
  assert.equal(open('PENDING_UPDATE'), 1, 'a');
  assert.equal(open('UNKNOWN'), 1, 'd');
  assert.equal(open('PARTIALLY_FILLED'), 0);
  assert.equal(sampleValue(s, 'keel_order_events_total', { type: 'submitted' }), 4);
  assert.equal(sampleValue(s, 'keel_order_events_total', { type: 'pending_update' }), 1);
  assert.equal(sampleValue(s, 'keel_order_rejects_total', { reason: 'insufficient_funds' }), 1);
  assert.equal(sampleValue(s, 'keel_risk_denials_total', { check: 'max-notional' }), 1);
  assert.equal(sampleValue(s, 'keel_risk_denials_total', { check: 'price-collar' }), 1);
  assert.equal(sampleValue(s, 'keel_orders_completed_total', { status: 'DENIED' }), 1);
  assert.equal(sampleValue(s, 'keel_orders_completed_total', { status: 'REJECTED' }), 1);

  // a's replace goes through: it had filled, so it works on as PARTIALLY_FILLED, then fills; d is settled.
  m.onOrderEvent({ type: 'order.updated', ts: 4, clientOrderId: 'a', order: order('a') });
  s = await scrape(m);
  assert.equal(open('PARTIALLY_FILLED'), 1);
  assert.equal(open('PENDING_UPDATE'), 0);
  m.onOrderEvent(filled('a', 0));
  m.onOrderEvent({ type: 'order.accepted', ts: 5, clientOrderId: 'd', venueOrderId: 'vd' });
  m.onOrderEvent({ type: 'order.canceled', ts: 5, clientOrderId: 'd', reason: 'operator' });
  s = await scrape(m);
  for (const status of ['SUBMITTED', 'PARTIALLY_FILLED', 'PENDING_UPDATE', 'UNKNOWN']) assert.equal(open(status), 0, status);
  assert.equal(open('ACCEPTED'), 1, 'b is still working');
  assert.equal(sampleValue(s, 'keel_orders_completed_total', { status: 'FILLED' }), 1);
  assert.equal(sampleValue(s, 'keel_orders_completed_total', { status: 'CANCELED' }), 1);
  assert.equal(sampleValue(s, 'keel_order_events_total', { type: 'filled' }), 2);
  assert.equal(sampleValue(s, 'keel_order_fill_ratio'), 1 / 4);
});

test('an event for an order never seen (partial replay) is counted, not thrown', async () => {
  const m = bare();
  m.onOrderEvent({ type: 'order.canceled', ts: 1, clientOrderId: 'ghost', reason: 'x' });
  m.onOrderEvent({ type: 'order.accepted', ts: 1, clientOrderId: 'ghost2', venueOrderId: 'v' });
  const s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_orders_completed_total', { status: 'CANCELED' }), 1);
  assert.equal(sampleValue(s, 'keel_orders_open', { status: 'ACCEPTED' }), 1);
  assert.equal(sampleValue(s, 'keel_order_fill_ratio'), 0);
});

test('fills: counted per instrument; slippage from the decision price or given, bucketed in bps', async () => {
  const m = bare();
  m.onFill(fill('a')); // buy 10002 vs 10000 → +2 bps
  m.onFill(fill('b', { side: 'sell', price: 10_010 as PriceTicks })); // sold higher than decided → −10 bps
  m.onFill(fill('c', { instrumentId: 'MSFT' }), { slippageBps: 75 });
  m.onFill(fill('d', { decisionPrice: undefined })); // counted, not observed
  const s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_fills_total', { instrument: 'AAPL' }), 3);
  assert.equal(sampleValue(s, 'keel_fills_total', { instrument: 'MSFT' }), 1);
  const bucket = (le: string) => sampleValue(s, 'keel_fill_slippage_bps_bucket', { le });
  assert.equal(bucket('-20'), 0);
  assert.equal(bucket('-10'), 1);
  assert.equal(bucket('1'), 1);
  assert.equal(bucket('2'), 2, 'le is inclusive');
  assert.equal(bucket('50'), 2);
  assert.equal(bucket('100'), 3);
  assert.equal(bucket('+Inf'), 3);
  assert.equal(sampleValue(s, 'keel_fill_slippage_bps_count'), 3);
  assert.ok(Math.abs(sampleValue(s, 'keel_fill_slippage_bps_sum')! - 67) < 1e-9);
});

test('latency histograms: ms and µs in, seconds out, inclusive bucket edges, +Inf and non-finite values', async () => {
  const m = bare();
  for (const ms of [0.5, 5, 5.0001, 30, 20_000, Number.NaN]) m.observeAckLatency(ms);
  for (const us of [9, 200, 201, 50_000]) m.observeMarketToOrderMicros(us);
  m.observeJournalAppend(0.3);
  const s = await scrape(m);
  const ack = (le: string) => sampleValue(s, 'keel_order_ack_latency_seconds_bucket', { le });
  assert.equal(ack('0.001'), 1);
  assert.equal(ack('0.005'), 2);
  assert.equal(ack('0.01'), 3);
  assert.equal(ack('0.05'), 4);
  assert.equal(ack('10'), 4);
  assert.equal(ack('+Inf'), 5);
  assert.equal(sampleValue(s, 'keel_order_ack_latency_seconds_count'), 5, 'NaN is dropped');
  const m2o = (le: string) => sampleValue(s, 'keel_market_to_order_latency_seconds_bucket', { le });
  assert.equal(m2o('0.00001'), 1);
  assert.equal(m2o('0.0002'), 2, '200 µs lands on the 200 µs edge');
  assert.equal(m2o('0.0005'), 3);
  assert.equal(m2o('0.1'), 4);
  assert.ok(Math.abs(sampleValue(s, 'keel_market_to_order_latency_seconds_sum')! - 0.05041) < 1e-12);
  assert.equal(sampleValue(s, 'keel_journal_append_duration_seconds_bucket', { le: '0.0005' }), 1);
  assert.equal(sampleValue(s, 'keel_journal_append_duration_seconds_bucket', { le: '0.00025' }), 0);
  // Buckets are cumulative and never decrease.
  const buckets = s.filter((x) => x.name === 'keel_order_ack_latency_seconds_bucket').map((x) => x.value);
  assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b));
});

test('FixedHistogram refuses unsorted buckets', () => {
  assert.throws(() => new FixedHistogram({ name: 'x', help: 'x', buckets: [1, 1] }), /strictly increasing/);
});

test('staleness grows between calls; onMarketData resets it', async () => {
  let now = 1_000_000;
  const m = bare(() => now);
  m.setStaleness('AAPL', 2);
  m.onMarketData('MSFT');
  now += 5_000;
  let s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_data_staleness_seconds', { instrument: 'AAPL' }), 7);
  assert.equal(sampleValue(s, 'keel_data_staleness_seconds', { instrument: 'MSFT' }), 5);
  m.onMarketData('MSFT', now - 500);
  s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_data_staleness_seconds', { instrument: 'MSFT' }), 0.5);
});

test('venue, rate limits, breakers, trading state (one-hot), journal, kill switch, reconciliation', async () => {
  const m = bare();
  m.setVenueConnected('alpaca', true);
  m.setVenueConnected('binance', false);
  m.setRateHeadroom('alpaca:orders', 170);
  m.setBreaker('daily-loss', true);
  m.setBreaker('drawdown', false);
  m.setTradingState('REDUCING');
  m.setJournal(12);
  m.onKillSwitch();
  m.onReconciliationMismatch(3);
  let s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_venue_connected', { venue: 'alpaca' }), 1);
  assert.equal(sampleValue(s, 'keel_venue_connected', { venue: 'binance' }), 0);
  assert.equal(sampleValue(s, 'keel_rate_limit_headroom_tokens', { bucket: 'alpaca:orders' }), 170);
  assert.equal(sampleValue(s, 'keel_breaker_tripped', { breaker: 'daily-loss' }), 1);
  assert.equal(sampleValue(s, 'keel_breaker_tripped', { breaker: 'drawdown' }), 0);
  assert.deepEqual(['ACTIVE', 'REDUCING', 'HALTED'].map((state) => sampleValue(s, 'keel_trading_state', { state })), [0, 1, 0]);
  assert.equal(sampleValue(s, 'keel_journal_pending_appends'), 12);
  assert.equal(sampleValue(s, 'keel_kill_switch_activations_total'), 1);
  assert.equal(sampleValue(s, 'keel_reconciliation_mismatches_total'), 3);

  m.onRiskEvent({ type: 'risk.breaker-tripped', ts: 1, breaker: 'drawdown', reason: 'x', action: 'kill' });
  m.onRiskEvent({ type: 'risk.kill-switch', ts: 1, by: 'breaker', reason: 'x', canceled: [], flattenOrders: [], notFlattened: [] });
  m.onRiskEvent({ type: 'risk.state-changed', ts: 1, from: 'REDUCING', to: 'HALTED', reason: 'x', by: { kind: 'breaker', name: 'drawdown' } });
  s = await scrape(m);
  assert.equal(sampleValue(s, 'keel_breaker_tripped', { breaker: 'drawdown' }), 1);
  assert.equal(sampleValue(s, 'keel_kill_switch_activations_total'), 2);
  assert.deepEqual(['ACTIVE', 'REDUCING', 'HALTED'].map((state) => sampleValue(s, 'keel_trading_state', { state })), [0, 0, 1]);
});

test('two instances do not collide; default labels and process metrics; content type', async () => {
  const a = new EngineMetrics({ labels: { engine: 'a' } });
  const b = new EngineMetrics({ labels: { engine: 'b' } });
  a.setEquity('acct', 1);
  b.setEquity('acct', 2);
  a.onKillSwitch();
  const sa = await scrape(a);
  const sb = await scrape(b);
  assert.equal(sampleValue(sa, 'keel_account_equity', { account: 'acct', engine: 'a' }), 1);
  assert.equal(sampleValue(sb, 'keel_account_equity', { account: 'acct', engine: 'b' }), 2);
  assert.equal(sampleValue(sb, 'keel_kill_switch_activations_total'), 0);
  for (const name of ['keel_process_resident_memory_bytes', 'keel_process_cpu_seconds_total', 'keel_nodejs_eventloop_lag_seconds', 'keel_nodejs_heap_size_used_bytes']) {
    assert.ok(sa.some((x) => x.name === name), name);
  }
  assert.ok(sa.every((x) => x.name.startsWith('keel_')), 'every series is prefixed keel_');
  assert.match(a.contentType, /^text\/plain; version=0\.0\.4/);
});

test('reject reasons fall into a bounded set of classes', () => {
  assert.equal(classifyReject('insufficient buying power'), 'insufficient_funds');
  assert.equal(classifyReject('429 Too Many Requests'), 'rate_limited');
  assert.equal(classifyReject('not connected to the venue: the request was not sent'), 'not_connected');
  assert.equal(classifyReject('market is closed'), 'market_closed');
  assert.equal(classifyReject('unknown instrument XYZ'), 'invalid_order');
  assert.equal(classifyReject('rejected by Alpaca'), 'other');
});

test('parseExposition reads escaped label values and special values', () => {
  const s = parseExposition('# HELP x y\nx{a="q\\"uo\\\\te",b="n\\nl"} +Inf\ny 3 1700000000\n');
  assert.deepEqual(s, [{ name: 'x', labels: { a: 'q"uo\\te', b: 'n\nl' }, value: Infinity }, { name: 'y', labels: {}, value: 3 }]);
});
