import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, parseMoney, type Bar, type RiskEvent } from '../../src/model/index.ts';
import { runBacktest, buildResult, parseSizing } from '../../src/backtest/index.ts';
import { Strategy } from '../../src/strategy/index.ts';
import { NO_LIMITS } from '../../src/risk/index.ts';
import { bar, simHarness } from '../helpers/sim-harness.ts';

const bars = (n: number, price = (i: number) => 100 + (i % 7)) =>
  Array.from({ length: n }, (_, i) => bar(i, price(i), price(i) + 1, price(i) - 1, price(i)));

test('kill switch: cancels every working order, flattens, and after the command only its own orders reach the venue', () => {
  const h = simHarness({ latency: undefined });
  const events: RiskEvent[] = [];
  h.risk.addListener({ onRiskEvent: (e) => { events.push(e); } });
  h.after(0, () => { h.submit({ side: 'buy', quantity: 100 }); });
  h.after(1, () => {
    h.submit({ side: 'buy', quantity: 10, limitPrice: 90 });
    h.submit({ side: 'sell', quantity: 10, limitPrice: 120 });
    h.submit({ side: 'buy', quantity: 5, stopPrice: 130 });
  });
  let killAt = -1;
  h.after(2, () => {
    killAt = h.venueCalls.length;
    const ev = h.risk.activateKillSwitch({ by: 'operator test', reason: 'runaway', flatten: true });
    assert.equal(ev.canceled.length, 3);
    assert.equal(ev.flattenOrders.length, 1);
  });
  // The strategy keeps firing after the kill: every one of these must die at the gate.
  for (let i = 2; i < 10; i++) h.after(i, () => { h.submit({ side: 'buy', quantity: 1000 }); h.submit({ side: 'sell', quantity: 1, limitPrice: 101 }); });
  h.run(bars(10));

  const after = h.venueCalls.slice(killAt);
  const submits = after.filter((c) => c.kind === 'submit');
  assert.deepEqual(submits.map((c) => c.kind === 'submit' && [c.order.tag, c.order.side, c.order.quantity, c.order.reduceOnly]), [['kill-switch', 'sell', 100, true]]);
  assert.equal(after.filter((c) => c.kind === 'cancel').length, 3, 'all three working orders canceled');
  assert.ok(after.slice(0, 3).every((c) => c.kind === 'cancel'), 'cancels go out before the flatten order');
  assert.equal(h.execution.orders.openCount, 0);
  assert.equal(h.risk.exposure.instruments.get('TEST')!.lots, 0, 'flat');
  assert.equal(h.risk.tradingState, 'HALTED');
  const denied = h.events.filter((e) => e.type === 'order.denied');
  assert.equal(denied.length, 16, 'every order after the kill was denied');
  assert.ok(denied.every((e) => e.type === 'order.denied' && e.check === 'trading-state'));
  assert.deepEqual(events.map((e) => e.type), ['risk.state-changed', 'risk.kill-switch']);
  const change = events[0];
  assert.ok(change.type === 'risk.state-changed' && change.to === 'HALTED' && change.by.kind === 'kill-switch' && change.by.who === 'operator test');
});

test('kill switch without flatten leaves positions and still halts; re-arm reopens trading', () => {
  const h = simHarness({ risk: { ...NO_LIMITS, killSwitch: { flatten: false } } });
  h.after(0, () => { h.submit({ side: 'buy', quantity: 100 }); });
  h.after(2, () => { h.risk.activateKillSwitch({ by: 'ops', reason: 'check venue' }); });
  h.after(3, () => { h.submit({ side: 'buy', quantity: 1 }); });
  h.after(4, () => { h.risk.rearm('alice', 'venue ok'); h.submit({ side: 'buy', quantity: 1 }); });
  h.run(bars(6));
  assert.equal(h.risk.exposure.instruments.get('TEST')!.lots, 101, '100 held through the kill, 1 bought after the re-arm');
  assert.equal(h.risk.tradingState, 'ACTIVE');
  assert.equal(h.events.filter((e) => e.type === 'order.denied').length, 1);
});

test('kill switch: a flatten order below the venue minimum is reported, not sent', () => {
  const inst = defineInstrument({ id: 'TEST', priceTick: '0.01' });
  const h = simHarness({ instrument: inst, risk: { ...NO_LIMITS, instruments: { TEST: { minNotional: parseMoney('1000', 't') } } } });
  h.after(0, () => { h.submit({ side: 'buy', quantity: 30 }); }); // 1200 at 40
  let notFlattened: readonly string[] = [];
  h.after(2, () => { notFlattened = h.risk.activateKillSwitch({ by: 'ops', reason: 'x', flatten: true }).notFlattened; });
  h.run(bars(4, (i) => (i < 2 ? 40 : 30)));
  assert.equal(notFlattened.length, 1);
  assert.match(notFlattened[0], /^TEST sell 30 lots: Order value 900\.00 USD is below TEST's minimum of 1000\.00 USD$/);
});

class Panicker extends Strategy<{}> {
  static override params = {};
  n = 0;
  override onBar(bar: Bar): void {
    this.n++;
    if (this.n === 1) this.buy(10);
    if (this.n === 5) this.killSwitch('my signal went haywire', { flatten: true });
    if (this.n > 5) this.buy(10);
  }
}

test('a strategy can pull the kill switch; the result lists it and the denials after it', () => {
  const inst = defineInstrument({ id: 'TEST', priceTick: '0.01' });
  const run = runBacktest({
    strategyId: 'panicker', strategyClass: Panicker, params: {}, instrument: inst, events: bars(12),
    initialCash: parseMoney('100000', 'cash'), sizing: parseSizing('units:10'), risk: NO_LIMITS,
  });
  const result = buildResult(run, { strategyName: 'panicker', params: {}, dataSource: 'test', dataLayout: 'test', dataWarnings: 0, config: {} });
  assert.equal(result.risk.finalState, 'HALTED');
  assert.equal(result.risk.killSwitch.length, 1);
  assert.deepEqual({ ...result.risk.killSwitch[0], time: undefined }, {
    time: undefined, by: 'strategy panicker', reason: 'my signal went haywire', canceled: 0, flattenOrders: 1, notFlattened: [],
  });
  assert.equal(result.risk.denialsTotal, 7);
  assert.deepEqual(result.risk.denialsByCheck, { 'trading-state': 7 });
  assert.equal(result.metrics.denials, 7);
  assert.equal(result.openPositions.length, 0, 'flattened');
  assert.equal(result.risk.stateChanges[0].by, 'kill switch (strategy panicker)');
});

test('kill switch follow-up: an order that fills after the switch (cancel lost the race) is flattened too', () => {
  const h = simHarness();
  h.after(0, () => { h.submit({ side: 'buy', quantity: 100 }); });
  // Bar 2: a market buy goes out; it reaches the venue before bar 3 and fills at bar 3's open.
  h.after(2, () => { h.submit({ side: 'buy', quantity: 10 }); });
  // The kill is pulled by something that runs before the venue on bar 3 (like the control poller): the
  // cancel is queued behind the fill, so the 10 shares are bought anyway.
  let flattenLots = 0;
  h.before(3, () => { flattenLots = h.risk.activateKillSwitch({ by: 'ops', reason: 'race', flatten: true }).flattenOrders.length; });
  h.run(bars(8));
  assert.equal(flattenLots, 1);
  assert.equal(h.fills().filter((f) => f.side === 'buy').reduce((n, f) => n + f.quantity, 0), 110, 'the in-flight buy filled after the kill');
  const sells = h.venueCalls.filter((c) => c.kind === 'submit' && c.order.tag === 'kill-switch');
  assert.equal(h.risk.exposure.instruments.get('TEST')!.lots, 0, 'flat in the end');
  assert.deepEqual(sells.map((c) => c.kind === 'submit' && c.order.quantity), [100, 10], 'the first flatten closed 100, the follow-up the late 10');
  assert.equal(h.risk.killSwitch.flattening, false, 'follow-up finished once flat and quiet');
});
