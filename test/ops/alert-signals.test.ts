import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlertEvaluator, EngineMetrics, ExpectedPath, histogramQuantile, SignalWindow, thresholdRules,
  type AlertCounters, type AlertSignals,
} from '../../src/ops/index.ts';
import { DailyLossBreaker } from '../../src/risk/breakers/daily-loss.ts';
import { DrawdownBreaker } from '../../src/risk/breakers/drawdown.ts';
import { parseMoney } from '../../src/model/index.ts';

const H = { bounds: [0.001, 0.01, 0.1], cumulative: [0, 0, 0, 0] };
const counters = (sent: number, rejected: number, denied: number, ack = H.cumulative): AlertCounters =>
  ({ sent, rejected, denied, ackLatency: { bounds: H.bounds, cumulative: ack }, marketToOrder: H });

test('histogramQuantile interpolates inside the bucket as Prometheus does, over the increase between two readings', () => {
  // 100 observations: 50 ≤ 1 ms, 40 in (1, 10] ms, 10 in (10, 100] ms.
  const now = { bounds: H.bounds, cumulative: [50, 90, 100, 100] };
  assert.equal(histogramQuantile(0.5, now), 0.001, 'the 50th of 100 is the top of the first bucket');
  assert.ok(Math.abs(histogramQuantile(0.99, now)! - (0.01 + (0.09 * 9) / 10)) < 1e-12, 'rank 99 is 9/10 into (10, 100] ms');
  assert.ok(Math.abs(histogramQuantile(0.7, now)! - (0.001 + (0.009 * 20) / 40)) < 1e-12);
  // Only what happened since `before` counts: 10 new observations, all in (10, 100] ms.
  const before = { bounds: H.bounds, cumulative: [50, 90, 90, 90] };
  assert.ok(Math.abs(histogramQuantile(0.5, now, before)! - 0.055) < 1e-12);
  assert.equal(histogramQuantile(0.99, before, before), undefined, 'nothing observed: no quantile');
  // Beyond the last finite bound the histogram cannot say more than that bound.
  assert.equal(histogramQuantile(0.99, { bounds: H.bounds, cumulative: [0, 0, 0, 5] }), 0.1);
});

test('SignalWindow: reject and denial rates over the sliding window, only once it holds minOrders orders', () => {
  const w = new SignalWindow({ windowMs: 10_000, minOrders: 4 });
  let s = w.add(0, counters(3, 3, 0));
  assert.equal(s.rejectRatePct, undefined, '3 orders < minOrders 4');
  s = w.add(1_000, counters(4, 3, 0));
  assert.equal(s.rejectRatePct, 75);
  assert.equal(s.denialRatePct, 0);
  s = w.add(2_000, counters(4, 3, 4));
  assert.equal(s.denialRatePct, 50, '4 denied of 8 tried');
  // 10 s after the 1 s reading, the window's baseline is that reading: 2 sent, 1 rejected since.
  s = w.add(11_000, counters(6, 4, 4));
  assert.equal(s.rejectRatePct, undefined, 'only 2 orders since the baseline');
  s = w.add(12_000, counters(8, 4, 4));
  assert.equal(s.rejectRatePct, 25, '1 reject in the 4 orders since the 2 s reading');
});

test('SignalWindow: the ack-latency p99 comes from the histogram increase inside the window', () => {
  const w = new SignalWindow({ windowMs: 5_000, minOrders: 1 });
  assert.equal(w.add(0, counters(0, 0, 0)).ackLatencyP99Ms, undefined);
  const fast = w.add(1_000, counters(1, 0, 0, [10, 10, 10, 10])).ackLatencyP99Ms!;
  assert.ok(Math.abs(fast - 0.99) < 1e-9, `all ≤ 1 ms: rank 9.9 of 10 is 0.99 ms (${fast})`);
  // Slow acks arrive later; once the fast ones leave the window only the slow ones count.
  const late = w.add(7_000, counters(2, 0, 0, [10, 10, 20, 20])).ackLatencyP99Ms!;
  assert.ok(Math.abs(late - (10 + (90 * 9.9) / 10)) < 1e-9, String(late));
});

test('EngineMetrics.alertCounters reads the same totals /metrics exports', () => {
  const m = new EngineMetrics({ defaultMetrics: false });
  m.onOrderEvent({ type: 'order.rejected', ts: 1, clientOrderId: 'a', reason: 'no' } as never);
  m.observeAckLatency(3);
  const c = m.alertCounters();
  assert.equal(c.rejected, 1);
  assert.equal(c.sent, 0);
  assert.equal(c.ackLatency.cumulative.at(-1), 1);
  assert.equal(c.ackLatency.bounds.length + 1, c.ackLatency.cumulative.length);
});

test('keel_expected_equity is exported while the engine is on its expected path, and absent outside it', async () => {
  const m = new EngineMetrics({ defaultMetrics: false });
  m.setExpectedEquity('paper', 101_250.5);
  assert.match(await m.metrics(), /^keel_expected_equity\{account="paper"\} 101250\.5$/m);
  m.setExpectedEquity('paper', undefined);
  assert.doesNotMatch(await m.metrics(), /^keel_expected_equity\{/m);
});

test('the built-in rules for PnL deviation, denial rate, latency and event-loop lag fire at their threshold, not below', () => {
  const ev = new AlertEvaluator(thresholdRules({ pnlDeviationPct: 2, denialRatePct: 50, ackLatencyMs: 250, marketToOrderMicros: 200, eventLoopLagMs: 100, rejectRatePct: 20 }));
  const at = (ts: number, o: Partial<AlertSignals>) => ev.evaluate({ ts, drawdownPct: 0, venueConnected: true, rssMb: 100, ...o }).map((a) => `${a.key} ${a.state}: ${a.title}`);
  assert.deepEqual(at(0, { equity: 98_001, expectedEquity: 100_000, denialRatePct: 49.9, ackLatencyP99Ms: 249.9, marketToOrderP99Micros: 199, eventLoopLagMs: 99, rejectRatePct: 19.9 }), []);
  assert.deepEqual(at(1, { equity: 98_000, expectedEquity: 100_000 }), [
    "rule:pnl-deviation firing: pnl-deviation: equity 98000.00 is 2.00% below the expected path's 100000.00 (threshold 2%)",
  ]);
  assert.deepEqual(at(2, { equity: 98_000 }), ['rule:pnl-deviation resolved: pnl-deviation cleared'], 'outside the path: no expectation, no alert');
  assert.deepEqual(at(3, { denialRatePct: 50, ackLatencyP99Ms: 250, marketToOrderP99Micros: 200, eventLoopLagMs: 100, rejectRatePct: 20 }), [
    'rule:reject-rate firing: reject-rate: venue reject rate 20% (threshold 20%)',
    'rule:denial-rate firing: denial-rate: risk-gate denial rate 50% (threshold 50%)',
    'rule:ack-latency firing: ack-latency: order acknowledgement p99 250.0 ms (threshold 250 ms)',
    'rule:market-to-order-latency firing: market-to-order-latency: market event to order p99 200 µs (threshold 200 µs)',
    'rule:event-loop-lag firing: event-loop-lag: event-loop delay p99 100.0 ms (threshold 100 ms)',
  ]);
});

test('ExpectedPath: the last point at or before the market time, nothing outside the path', () => {
  const p = new ExpectedPath({ times: [100, 200, 300], equity: [1, 2, 3], source: 'x' });
  assert.equal(p.at(99), undefined);
  assert.equal(p.at(100), 1);
  assert.equal(p.at(299), 2);
  assert.equal(p.at(300), 3);
  assert.equal(p.at(301), undefined);
  assert.throws(() => new ExpectedPath({ times: [1, 1], equity: [1, 1], source: 'f.csv' }), /f\.csv: times must increase \(point 2\)/);
});

test('the daily-loss and drawdown breakers say how much of their limit is used (the daily-loss alert reads it)', () => {
  const daily = new DailyLossBreaker({ maxLoss: parseMoney('1000', 'maxLoss'), resetTime: '00:00', resetZone: 'UTC', action: 'halt' });
  assert.equal(daily.usedPct(), undefined, 'no sample yet');
  daily.onEquity(0, 100_000);
  daily.onEquity(1, 99_200);
  assert.equal(daily.usedPct(), 80);
  daily.onEquity(2, 100_500);
  assert.equal(daily.usedPct(), 0, 'up on the day');
  const dd = new DrawdownBreaker({ maxDrawdownPct: 10, action: 'halt' });
  dd.onEquity(0, 100_000);
  dd.onEquity(1, 95_000);
  assert.equal(dd.usedPct(), 50, '5% of a 10% limit');
});
