import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, formatMoney, parseMoney, type Bar } from '../../src/model/index.ts';
import { compareExecutions, transactionCosts, type ExecutedOrder } from '../../src/post-trade/index.ts';

const ACME = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const DAY = 86_400_000;
const bar = (i: number, open: number, close: number, volume = 1000): Bar => ({ type: 'bar', instrumentId: 'ACME', ts: i * DAY, open, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, close, volume });
// Bars 0..5; the period's last price (the mark) is bar 5's close, 20.00.
const MARKET = [bar(0, 10, 10), bar(1, 10, 11), bar(2, 12, 12), bar(3, 13, 14), bar(4, 15, 15), bar(5, 19, 20)];
const order = (id: string, side: 'buy' | 'sell', createdAt: number, fills: Array<[number, number, number, string?]>, status = 'FILLED'): ExecutedOrder => ({
  clientOrderId: id, side, type: 'market', quantity: 100, createdAt, tag: undefined, status, reason: undefined,
  fills: fills.map(([ts, quantity, price, fee]) => ({ ts, quantity, price, fee: parseMoney(fee ?? '0', 'fee'), decisionPrice: undefined })),
});

test('the waterfall explains the gap exactly: latency, execution slippage, a partial fill, fees, a missed signal and an extra trade', () => {
  const benchmark = {
    label: 'backtest', orders: [
      // Buy decided on bar 0, filled at bar 1's open 10.00 with 1.00 fee.
      order('s-1', 'buy', 0, [[1 * DAY, 100, 1000, '1.00']]),
      // Sell decided on bar 2, filled at bar 3's open 13.00.
      order('s-2', 'sell', 2 * DAY, [[3 * DAY, 100, 1300, '1.00']]),
      // A buy on bar 3 that the session never sent (a missed signal): filled at 15.00, marked at 20.00.
      order('s-3', 'buy', 3 * DAY, [[4 * DAY, 100, 1500, '1.00']]),
    ],
  };
  const session = {
    label: 'live', orders: [
      // Late by a bar: filled at bar 2 (open 12.00) and 5 cents worse than that open, in two executions.
      order('s-1', 'buy', 0, [[2 * DAY, 60, 1205, '0.40'], [2 * DAY, 40, 1205, '0.30']]),
      // Only 50 of 100 sold, at bar 3's open exactly.
      order('s-2', 'sell', 2 * DAY, [[3 * DAY, 50, 1300, '0.50']], 'PARTIALLY_FILLED'),
      // An extra sell the backtest never made, decided on bar 4, filled at bar 5's open 19.00.
      order('x-9', 'sell', 4 * DAY, [[5 * DAY, 10, 1900, '0.10']]),
    ],
  };
  const c = compareExecutions(ACME, MARKET, benchmark, session);
  assert.equal(c.markPrice, 2000);
  const usd = (m: bigint) => formatMoney(m, 'USD');
  // Benchmark: +100·(20−10) − 100·(20−13) + 100·(20−15) − 3 fees = 1000 − 700 + 500 − 3 = 797.
  assert.equal(usd(c.benchmarkPnl), '797.00');
  // Session: 100·(20−12.05) − 50·(20−13) − 10·(20−19) − 1.30 fees = 795 − 350 − 10 − 1.30 = 433.70.
  assert.equal(usd(c.sessionPnl), '433.70');
  const [t1, t2, t3, t4] = c.trades;
  assert.deepEqual([t1.kind, t2.kind, t3.kind, t4.kind], ['matched', 'matched', 'missed-signal', 'extra']);
  // s-1: latency 100·(10 − 12) = −200; execution slippage 100·(12 − 12.05) = −5; fees 1.00 − 0.70.
  assert.deepEqual([usd(t1.effects.latency), usd(t1.effects.executionSlippage), usd(t1.effects.fees), usd(t1.effects.missedTrades)], ['-200.00', '-5.00', '0.30', '0.00']);
  assert.ok(Math.abs(t1.slippageBps! - 2050) < 1e-9, String(t1.slippageBps));
  assert.equal(t1.extraDelayMs, DAY);
  assert.equal(t1.session!.fills, 2);
  // s-2: 50 of 100 sold: the unsold 50 rode the rise from 13 to 20 (+350: a missed fill can help).
  assert.deepEqual([usd(t2.effects.missedTrades), usd(t2.effects.latency), usd(t2.effects.executionSlippage), usd(t2.effects.fees)], ['350.00', '0.00', '0.00', '0.50']);
  // s-3 missed: its 500 of gross PnL, and the fee not paid.
  assert.deepEqual([usd(t3.effects.missedTrades), usd(t3.effects.fees)], ['-500.00', '1.00']);
  // x-9 extra: sold 10 at 19, marked at 20: −10; its fee.
  assert.deepEqual([usd(t4.effects.missedTrades), usd(t4.effects.fees)], ['-10.00', '-0.10']);
  const e = c.effects;
  assert.deepEqual([usd(e.latency), usd(e.executionSlippage), usd(e.fees), usd(e.missedTrades)], ['-200.00', '-5.00', '1.70', '-160.00']);
  assert.equal(c.benchmarkPnl + e.executionSlippage + e.fees + e.missedTrades + e.latency, c.sessionPnl, 'the four steps add up exactly');

  const [cost] = transactionCosts(ACME, MARKET, session.orders);
  assert.equal(cost.arrivalPrice, 1000, 'the last price when it decided: bar 0 close');
  assert.ok(Math.abs(cost.priceShortfallBps! - 2050) < 1e-6);
  assert.ok(Math.abs(cost.feeBps! - (0.7 / 1205) * 1e4) < 1e-6);
  // VWAP over its life, bars 0..2 (decision to fill): typical prices (10.5+9.5+10)/3, (11.5+9.5+11)/3, 12.
  const typ = [(10.5 + 9.5 + 10) / 3, (11.5 + 9.5 + 11) / 3, (12.5 + 11.5 + 12) / 3];
  assert.ok(Math.abs(cost.vwap! - (typ.reduce((a, b) => a + b, 0) / 3) * 100) < 1e-6, String(cost.vwap));
  assert.equal(cost.delayMs, 2 * DAY);
});
