import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderType, VenueReport } from '../../../src/model/index.ts';
import { until } from '../../helpers/wait.ts';
import type { ContractHarness, ContractRig, Execution } from './harness.ts';

export type { ContractHarness, ContractRig, Execution, OrderKind } from './harness.ts';
export { recordReports } from './harness.ts';

type Filled = Extract<VenueReport, { type: 'order.filled' }>;
const ALL_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit'];

const of = (reports: readonly VenueReport[], id: string) => reports.filter((r) => r.clientOrderId === id);
const typesOf = (reports: readonly VenueReport[], id: string) => of(reports, id).map((r) => r.type);
const fillsOf = (reports: readonly VenueReport[], id: string) => of(reports, id).filter((r): r is Filled => r.type === 'order.filled');
const lotsFilled = (reports: readonly VenueReport[], id: string) => fillsOf(reports, id).reduce((s, f) => s + f.fill.quantity, 0);
const asExecutions = (fills: readonly Filled[]): Execution[] => fills.map((f) => ({ quantity: f.fill.quantity, price: f.fill.price }));
const sorted = (xs: readonly Execution[]) => [...xs].sort((a, b) => a.price - b.price || a.quantity - b.quantity);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviours every `VenueSession` adapter must show, run against the adapter's loopback counterparty.
 * One call registers the whole suite for one adapter (see `harness.ts` for what the harness provides).
 *
 * @example
 * // test/venues/contract/fix.contract.test.ts
 * import { runVenueContract } from './suite.ts';
 * runVenueContract({ adapter: 'fix', start: startFixRig, orderTypes: ['market', 'limit'], typeRefusal: /stop/,
 *   replace: { supported: true }, rateLimit: { capacity: 2, perSecond: 5 } });
 */
export function runVenueContract(h: ContractHarness): void {
  const wait = h.reportTimeoutMs ?? 5_000;
  const name = (behaviour: string) => `${h.adapter} venue contract: ${behaviour}`;

  /** Run `body` on a fresh rig, closing it whatever happens. */
  const withRig = (behaviour: string, body: (rig: ContractRig) => Promise<void>) => test(name(behaviour), async () => {
    const rig = await h.start();
    try {
      await body(rig);
    } finally {
      await rig.close();
    }
  });

  const accepted = (rig: ContractRig, id: string, reports = rig.reports) =>
    until(`order.accepted of ${id} (${h.adapter}); got ${JSON.stringify(typesOf(reports, id))}`, () => typesOf(reports, id).includes('order.accepted'), wait);
  const filledUp = (rig: ContractRig, id: string, lots: number, reports = rig.reports) =>
    until(`${lots} lots filled on ${id} (${h.adapter}); got ${lotsFilled(reports, id)}`, () => lotsFilled(reports, id) >= lots, wait);

  withRig('a market order is accepted, then filled with the exact quantity and price the counterparty executed', async (rig) => {
    const o = rig.order('marketable', 10);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    const executions = await rig.fill(o.clientOrderId, 1);
    await filledUp(rig, o.clientOrderId, 10);
    const fills = fillsOf(rig.reports, o.clientOrderId);
    assert.deepEqual(asExecutions(fills), executions);
    assert.equal(executions.reduce((s, e) => s + e.quantity, 0), 10);
    const last = fills.at(-1)!;
    assert.equal(last.leavesQuantity, 0);
    assert.equal(last.fill.instrumentId, o.instrumentId);
    assert.equal(last.fill.side, 'buy');
    assert.equal(typesOf(rig.reports, o.clientOrderId)[0], 'order.accepted');
    assert.deepEqual((await rig.atCounterparty(o.clientOrderId)).map((x) => x.status), ['filled']);
  });

  withRig('a limit order is accepted and works at the counterparty at its exact price and quantity', async (rig) => {
    const o = rig.order('resting', 7);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    const there = await rig.atCounterparty(o.clientOrderId);
    assert.deepEqual(there, [{ status: 'working', limitPrice: (o as { limitPrice: number }).limitPrice, quantity: 7 }]);
    assert.deepEqual(typesOf(rig.reports, o.clientOrderId), ['order.accepted']);
  });

  withRig('partial fills: each execution is one report, leaves quantity falls to 0, the lots add up exactly', async (rig) => {
    const o = rig.order('marketable', 10);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    const executions = await rig.fill(o.clientOrderId, 2);
    assert.ok(executions.length >= 2, `the counterparty split the fill in ${executions.length}`);
    await filledUp(rig, o.clientOrderId, 10);
    const fills = fillsOf(rig.reports, o.clientOrderId);
    assert.deepEqual(asExecutions(fills), executions);
    let left = 10;
    for (const f of fills) {
      left -= f.fill.quantity;
      assert.equal(f.leavesQuantity, left, 'leaves quantity after each execution');
    }
    assert.equal(new Set(fills.map((f) => f.fill.tradeId)).size, fills.length, 'one trade id per execution');
  });

  withRig('cancel: a working order is canceled at the counterparty and reported canceled once', async (rig) => {
    const o = rig.order('resting', 5);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    rig.session.cancel(o.clientOrderId);
    await until(`order.canceled of ${o.clientOrderId}`, () => typesOf(rig.reports, o.clientOrderId).includes('order.canceled'), wait);
    await pause(100);
    assert.deepEqual(typesOf(rig.reports, o.clientOrderId), ['order.accepted', 'order.canceled']);
    assert.deepEqual((await rig.atCounterparty(o.clientOrderId)).map((x) => x.status), ['canceled']);
  });

  if (h.replace.supported) {
    withRig('cancel/replace: the working order takes the new price at the counterparty and is reported updated', async (rig) => {
      const o = rig.order('resting', 5);
      rig.session.submit(o);
      await accepted(rig, o.clientOrderId);
      const next = rig.repriced(o, 100);
      rig.session.replace(next);
      await until(`order.updated of ${o.clientOrderId}`, () => typesOf(rig.reports, o.clientOrderId).includes('order.updated'), wait);
      const updated = of(rig.reports, o.clientOrderId).find((r) => r.type === 'order.updated') as Extract<VenueReport, { type: 'order.updated' }>;
      assert.equal((updated.order as { limitPrice: number }).limitPrice, (next as { limitPrice: number }).limitPrice);
      const working = (await rig.atCounterparty(o.clientOrderId)).filter((x) => x.status === 'working');
      assert.deepEqual(working, [{ status: 'working', limitPrice: (next as { limitPrice: number }).limitPrice, quantity: 5 }]);
    });
  } else {
    const refusal = h.replace.refusal;
    withRig('cancel/replace is refused with a clear reason and nothing is sent', async (rig) => {
      const o = rig.order('resting', 5);
      rig.session.submit(o);
      await accepted(rig, o.clientOrderId);
      const sent = rig.orderMessageTimes().length;
      rig.session.replace(rig.repriced(o, 100));
      await until('order.update-rejected', () => typesOf(rig.reports, o.clientOrderId).includes('order.update-rejected'), wait);
      const r = of(rig.reports, o.clientOrderId).find((x) => x.type === 'order.update-rejected') as { reason: string };
      assert.match(r.reason, refusal);
      assert.equal(rig.orderMessageTimes().length, sent, 'no order message was sent');
      assert.deepEqual(await rig.atCounterparty(o.clientOrderId), [{ status: 'working', limitPrice: (o as { limitPrice: number }).limitPrice, quantity: 5 }]);
    });
  }

  withRig('a counterparty rejection is reported as order.rejected with its reason, and nothing fills', async (rig) => {
    rig.rejectNext();
    const o = rig.order('marketable', 3);
    rig.session.submit(o);
    await until(`order.rejected of ${o.clientOrderId}`, () => typesOf(rig.reports, o.clientOrderId).includes('order.rejected'), wait);
    const r = of(rig.reports, o.clientOrderId).find((x) => x.type === 'order.rejected') as { reason: string };
    assert.ok(r.reason.trim().length > 3, `a reason: "${r.reason}"`);
    assert.deepEqual(fillsOf(rig.reports, o.clientOrderId), []);
    for (const x of await rig.atCounterparty(o.clientOrderId)) assert.equal(x.status, 'rejected');
  });

  withRig(`order types: ${h.orderTypes.join(', ')} are sent and work; any other type is refused before anything is sent`, async (rig) => {
    for (const type of ALL_TYPES) {
      const o = rig.order({ type }, 2);
      const sent = rig.orderMessageTimes().length;
      rig.session.submit(o);
      if (h.orderTypes.includes(type)) {
        await accepted(rig, o.clientOrderId);
        assert.deepEqual((await rig.atCounterparty(o.clientOrderId)).map((x) => x.status), ['working'], `${type} works`);
      } else {
        await until(`the refusal of a ${type} order`, () => typesOf(rig.reports, o.clientOrderId).includes('order.rejected'), wait);
        const r = of(rig.reports, o.clientOrderId).find((x) => x.type === 'order.rejected') as { reason: string };
        assert.match(r.reason, h.typeRefusal ?? /type/, `${type}: ${r.reason}`);
        assert.equal(rig.orderMessageTimes().length, sent, `nothing was sent for the ${type} order`);
        assert.deepEqual(await rig.atCounterparty(o.clientOrderId), []);
      }
    }
  });

  withRig('query() returns the working orders and the fills since a time, exactly, for reconciliation', async (rig) => {
    const a = rig.order('marketable', 4);
    rig.session.submit(a);
    await accepted(rig, a.clientOrderId);
    const executions = await rig.fill(a.clientOrderId, 1);
    await filledUp(rig, a.clientOrderId, 4);
    const b = rig.order('resting', 6);
    rig.session.submit(b);
    await accepted(rig, b.clientOrderId);
    const fillTs = fillsOf(rig.reports, a.clientOrderId).map((f) => f.fill.ts);
    const snap = await rig.session.query(Math.min(...fillTs) - 1);
    const working = snap.orders.find((x) => x.clientOrderId === b.clientOrderId);
    assert.ok(working, `order ${b.clientOrderId} in the snapshot: ${JSON.stringify(snap.orders)}`);
    assert.ok(working.status === 'ACCEPTED' || working.status === 'PARTIALLY_FILLED', `working, got ${working.status}`);
    if (snap.openOrders !== undefined) {
      const open = snap.openOrders.find((x) => x.clientOrderId === b.clientOrderId);
      assert.equal(open?.quantity, 6);
      assert.equal((open as { limitPrice?: number } | undefined)?.limitPrice, (b as { limitPrice: number }).limitPrice);
    }
    const fills = snap.fills.filter((f) => f.clientOrderId === a.clientOrderId);
    assert.deepEqual(sorted(fills.map((f) => ({ quantity: f.quantity, price: f.price }))), sorted(executions));
    assert.deepEqual(new Set(fills.map((f) => f.tradeId)), new Set(fillsOf(rig.reports, a.clientOrderId).map((f) => f.fill.tradeId)), 'the trade ids the reports had');
    assert.equal(snap.positions[a.instrumentId], 4);
    const later = await rig.session.query(Math.max(...fillTs) + 1);
    assert.deepEqual(later.fills.filter((f) => f.clientOrderId === a.clientOrderId), [], 'no fill from before `since`');
  });

  withRig('a client order id makes one order: resubmitting it, in the session or after a restart, never makes a second', async (rig) => {
    const o = rig.order('resting', 3);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    rig.session.submit(o);
    await pause(300);
    assert.equal((await rig.atCounterparty(o.clientOrderId)).length, 1, 'one order after a resubmit in the session');
    const venueIds = new Set(of(rig.reports, o.clientOrderId).flatMap((r) => (r.type === 'order.accepted' ? [r.venueOrderId] : [])));
    assert.equal(venueIds.size, 1, `one venue order id: ${[...venueIds].join(', ')}`);
    const again = await rig.reopen();
    again.session.submit(o);
    await until('the restarted session to answer the resubmit', () => of(again.reports, o.clientOrderId).length > 0, wait);
    await pause(300);
    assert.equal((await rig.atCounterparty(o.clientOrderId)).length, 1, 'one order after a resubmit by a restarted session');
    for (const r of of(again.reports, o.clientOrderId)) {
      if (r.type === 'order.accepted') assert.equal(r.venueOrderId, [...venueIds][0], 'the existing order, not a new one');
      else assert.ok(r.type === 'order.rejected' && /duplicate|exists|already|unique/i.test(r.reason), `${r.type} ${JSON.stringify(r)}`);
    }
  });

  withRig('disconnect and reconnect: fills made while the connection was down arrive once each, none lost', async (rig) => {
    const o = rig.order('marketable', 10);
    rig.session.submit(o);
    await accepted(rig, o.clientOrderId);
    let executions: Execution[] = [];
    await rig.outage(async () => { executions = await rig.fill(o.clientOrderId, 2); });
    await filledUp(rig, o.clientOrderId, 10);
    await pause(300); // time for a duplicate to show, were one coming
    const fills = fillsOf(rig.reports, o.clientOrderId);
    assert.deepEqual(sorted(asExecutions(fills)), sorted(executions));
    assert.equal(new Set(fills.map((f) => f.fill.tradeId)).size, fills.length, 'no execution reported twice');
    assert.equal(fills.at(-1)!.leavesQuantity, 0);
    const next = rig.order('resting', 1);
    rig.session.submit(next);
    await accepted(rig, next.clientOrderId);
  });

  withRig(`the rate budget holds: at most ${h.rateLimit.capacity} + ${h.rateLimit.perSecond}/s order messages reach the counterparty`, async (rig) => {
    const { capacity, perSecond } = h.rateLimit;
    const n = capacity + Math.ceil(perSecond * 1.5);
    const before = rig.orderMessageTimes().length;
    const orders = Array.from({ length: n }, () => rig.order('resting', 1));
    // Measured from the first submit, not the first arrival: on a busy machine the first message can arrive
    // late while the bucket still spaces the rest, which would shorten an arrival-to-arrival span.
    const start = Date.now();
    for (const o of orders) rig.session.submit(o);
    const budgetMs = ((n - capacity) / perSecond) * 1000;
    await until(`${n} orders accepted`, () => orders.every((o) => typesOf(rig.reports, o.clientOrderId).includes('order.accepted')), budgetMs + wait);
    const times = rig.orderMessageTimes().slice(before);
    assert.equal(times.length, n, 'every order sent once, none dropped');
    // Arrival times jitter by a few ms around the send times the bucket set: allow 50 ms of it.
    assert.ok(times.at(-1)! - start >= budgetMs - 50, `${n} orders took ${times.at(-1)! - start} ms, the budget needs ${budgetMs}`);
    for (let i = 0; i < times.length; i++) {
      const inSecond = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
      assert.ok(inSecond <= capacity + perSecond + 1, `${inSecond} order messages within 1 s from the ${i}th`);
    }
  });
}
