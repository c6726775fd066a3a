import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withChanges, type OrderRequest } from '../../src/model/index.ts';
import { buildChanges } from '../../src/backtest/index.ts';
import { latencyModel } from '../../src/venues/index.ts';
import type { ModifySpec } from '../../src/strategy/index.ts';
import { gate } from '../helpers/gate.ts';
import { riskConfig as limits } from '../helpers/risk-config.ts';
import { riskConfig } from '../helpers/risk-config.ts';
import { simHarness, trade } from '../helpers/sim-harness.ts';

function modify(g: ReturnType<typeof gate>, order: OrderRequest, spec: ModifySpec): string {
  const r = withChanges(order, buildChanges(g.instruments[0], spec));
  if (!r.ok) throw new Error(r.reason);
  const d = g.risk.evaluateModification(order, r.order);
  return d.approved ? 'ok' : `${d.check}: ${d.reason}`;
}

test('modification throttle: N replaces per sliding second, the N+1th waits until the first leaves the window; refusals do not count', () => {
  const g = gate(limits({ account: { maxModificationsPerSecond: 3 } })).price(100);
  const o = g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  for (let i = 0; i < 3; i++) assert.equal(modify(g.at(i * 100), o, { limitPrice: 98 + i / 100 }), 'ok');
  assert.equal(modify(g.at(999), o, { limitPrice: 97 }), 'modification-throttle: The account already sent 3 cancel/replace requests in the last second (limit 3/s)');
  assert.equal(modify(g.at(1000), o, { limitPrice: 97 }), 'ok', 'the one at t=0 left the window, and the refusal at t=999 was not counted');
  assert.match(modify(g.at(1000), o, { limitPrice: 97 }), /^modification-throttle/, 'the one at t=100 has not');
});

test('modification throttle: per strategy, independent of other strategies', () => {
  const g = gate(limits({ strategies: { chatty: { maxModificationsPerSecond: 1 } } })).price(100);
  const chatty = g.work({ side: 'buy', quantity: 10, limitPrice: 99, strategy: 'chatty' });
  const quiet = g.work({ side: 'buy', quantity: 10, limitPrice: 99, strategy: 'quiet' });
  assert.equal(modify(g, chatty, { quantity: 5 }), 'ok');
  assert.equal(modify(g, chatty, { quantity: 6 }), 'modification-throttle: Strategy chatty already sent 1 cancel/replace requests in the last second (limit 1/s)');
  assert.equal(modify(g, quiet, { quantity: 5 }), 'ok');
  assert.equal(modify(g, quiet, { quantity: 6 }), 'ok');
});

test('modification throttle: cancels fill the window but are never refused', () => {
  const g = gate(limits({ account: { maxModificationsPerSecond: 2 } })).price(100);
  const o = g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  for (let i = 0; i < 5; i++) g.risk.onCancelRequest(o);
  assert.match(modify(g, o, { quantity: 5 }), /^modification-throttle: The account already sent 2 cancel\/replace requests/);
  assert.equal(modify(g.at(1000), o, { quantity: 5 }), 'ok');
});

test('the order throttle and the modification throttle count separately', () => {
  const g = gate(limits({ account: { maxOrdersPerSecond: 1, maxModificationsPerSecond: 5 } })).price(100);
  const o = g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  assert.match(g.why({ side: 'buy', quantity: 1, limitPrice: 98 }), /^message-throttle/);
  assert.equal(modify(g.at(500), o, { quantity: 12 }), 'ok', 'a replace is not a new order');
  assert.equal(g.at(1000).why({ side: 'buy', quantity: 1, limitPrice: 98 }), 'ok', 'and did not use up the order budget');
});

test('end to end: cancels past the limit still reach the venue; the replace after them is denied and the order keeps working', () => {
  const h = simHarness({ latency: latencyModel(10), risk: riskConfig({ account: { maxModificationsPerSecond: 2 } }) });
  const ids: string[] = [];
  h.after(0, () => { for (let i = 0; i < 4; i++) ids.push(h.submit({ side: 'buy', quantity: 10, limitPrice: 90 + i })); });
  h.after(2, () => {
    for (const id of ids.slice(0, 3)) h.execution.cancel(id);
    h.modify(ids[3], { limitPrice: 92.5 });
  });
  h.after(4, () => { h.modify(ids[3], { limitPrice: 92.5 }); });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(40, 100), trade(1020, 100), trade(1040, 100)]);
  assert.deepEqual(h.venueCalls.filter((c) => c.kind !== 'submit').map((c) => `${c.kind}@${c.ts}`), ['cancel@20', 'cancel@20', 'cancel@20', 'replace@1020']);
  assert.deepEqual(ids.map((id) => h.status(id)), ['CANCELED', 'CANCELED', 'CANCELED', 'ACCEPTED']);
  const denied = h.events.filter((e) => e.type === 'order.update-denied');
  assert.equal(denied.length, 1);
  assert.ok(denied[0].type === 'order.update-denied' && denied[0].check === 'modification-throttle' && denied[0].ts === 20);
  const last = h.execution.orders.get(ids[3])!.request;
  assert.equal(last.type === 'limit' && last.limitPrice, 9250, 'a second later the replace goes through');
});
