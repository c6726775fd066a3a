import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FixAcceptor } from '../../helpers/fix-acceptor.ts';
import { until } from '../../helpers/wait.ts';
import { SECRET, fixVenue, limit, market, storePath, types } from './helpers.ts';

test('logon carries Username and Password; no log line, error or store ever holds the password', async () => {
  const a = await FixAcceptor.start();
  const store = storePath();
  const h = await fixVenue(a.port, store);
  try {
    const logon = a.got('A')[0];
    assert.equal(logon.get(553), 'keel');
    assert.equal(logon.get(554), SECRET, 'the counterparty receives it');
    assert.equal(logon.get(108), '30');
    h.venue.submit(limit('buy', 10, 3893));
    await until('a fill', () => h.reports.some((r) => r.type === 'order.filled'));
    assert.ok(h.logs.some((l) => /^>> 8=FIX\.4\.2\|.*35=A\|.*554=\[redacted\]/.test(l)), 'the traced Logon shows the password redacted');
    for (const l of h.logs) assert.ok(!l.includes(SECRET), l);
    assert.ok(!readFileSync(store, 'utf8').includes(SECRET), 'the Logon is never stored for resends');
    assert.ok(!JSON.stringify(h.reports, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes(SECRET));
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('a gap in the counterparty\'s numbers: ResendRequest, the missed ExecutionReport arrives with PossDupFlag, in order, booked once', async () => {
  const a = await FixAcceptor.start();
  const h = await fixVenue(a.port, storePath());
  try {
    a.skip.add(a.nextOut); // the ack is numbered and lost; the fill that follows reveals the gap
    const o = limit('buy', 10, 3893);
    h.venue.submit(o);
    await until('the fill', () => types(h, o.clientOrderId).includes('order.filled'));
    assert.deepEqual(types(h, o.clientOrderId), ['order.accepted', 'order.filled']);
    const rr = a.got('2');
    assert.equal(rr.length, 1, 'one ResendRequest');
    assert.ok(h.logs.some((l) => /gap: expected \d+, received \d+; ResendRequest/.test(l)));
    assert.ok(h.logs.some((l) => /^<< .*35=8\|.*43=Y/.test(l)), 'the resent report carries PossDupFlag');
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('the counterparty asks for our messages again: an unanswered NewOrderSingle is resent as it was (PossDupFlag, OrigSendingTime), an answered one and admin messages gap-filled', async () => {
  const a = await FixAcceptor.start({
    onOrder: (acc, o) => { if (o.qty !== 5) { acc.report(o, '0'); o.status = '2'; acc.report(o, '2', { qty: o.qty, px: o.price }); } },
  });
  const h = await fixVenue(a.port, storePath(), { heartbeatSeconds: 30 });
  try {
    const answered = limit('buy', 3, 3900);
    h.venue.submit(answered);
    await until('filled', () => types(h, answered.clientOrderId).includes('order.filled'));
    const o = limit('buy', 5, 3900); // the acceptor takes it and says nothing
    h.venue.submit(o);
    await until('the acceptor has it', () => a.got('D').length === 2);
    const [firstAnswered, first] = a.got('D');
    // As if it had missed everything from 1 on.
    a['admin']('2', [[7, '1'], [16, '0']]);
    await until('the resend', () => a.got('D').length === 3);
    const again = a.got('D')[2];
    assert.equal(again.get(43), 'Y');
    assert.equal(again.get(122), first.get(52));
    assert.equal(again.seqNum, first.seqNum);
    assert.equal(again.get(11), o.clientOrderId, 'same ClOrdID: the counterparty cannot take it as a second order');
    const fills = a.got('4').filter((m) => m.get(123) === 'Y');
    assert.ok(fills.some((m) => m.seqNum === 1), 'the Logon (seq 1) is gap-filled, never resent with its password');
    assert.ok(fills.some((m) => m.seqNum === firstAnswered.seqNum), 'the answered order is gap-filled, not sent again');
    assert.equal(a.orders.size, 2, 'two orders at the counterparty, none twice');
    assert.equal(types(h, answered.clientOrderId).filter((t) => t === 'order.filled').length, 1);
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('heartbeats, then TestRequest when the counterparty falls silent, then a reconnect that resumes the numbers', async () => {
  const a = await FixAcceptor.start();
  const h = await fixVenue(a.port, storePath(), { heartbeatSeconds: 1, timeouts: { logonMs: 1000 } });
  const states: string[] = [];
  h.venue.onConnection((up, why) => states.push(`${up ? 'up' : 'down'}: ${why}`));
  try {
    await until('a heartbeat', () => a.got('0').length > 0, 5000);
    a.silent = true;
    await until('a TestRequest', () => h.logs.some((l) => /^>> .*\|35=1\|.*112=TEST-1/.test(l)), 5000);
    await until('down', () => states.some((s) => /down: .*TestRequest/.test(s)), 6000);
    a.silent = false;
    await until('back up', () => states.some((s) => s.startsWith('up')), 8000);
    const logons = a.got('A');
    assert.ok(logons.length >= 2);
    assert.ok(logons[1].seqNum > logons[0].seqNum, 'the second logon continues our numbers');
    assert.notEqual(logons[1].get(141), 'Y', 'no reset');
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('disconnect mid-order: the report the counterparty numbered while we were gone arrives by resend after the reconnect; orders while down are refused, not queued', async () => {
  const a = await FixAcceptor.start();
  const h = await fixVenue(a.port, storePath(), { timeouts: { logonMs: 500 } });
  const states: boolean[] = [];
  h.venue.onConnection((up) => states.push(up));
  try {
    a.dropAfterNextOrder = true;
    const o = limit('sell', 7, 3950);
    a.afterDrop = () => { a.silent = true; }; // and it does not answer the first logons after the drop
    h.venue.submit(o);
    await until('down', () => states.includes(false), 5000);
    const whileDown = limit('buy', 1, 3900);
    h.venue.submit(whileDown);
    await until('refused', () => types(h, whileDown.clientOrderId).includes('order.rejected'));
    a.silent = false;
    await until('filled after the reconnect', () => types(h, o.clientOrderId).includes('order.filled'), 8000);
    assert.deepEqual(types(h, o.clientOrderId), ['order.accepted', 'order.filled']);
    assert.equal(a.got('D').length, 1, 'the order went out once');
    assert.match(h.reports.find((r) => r.clientOrderId === whileDown.clientOrderId && r.type === 'order.rejected')!.type, /rejected/);
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('partial fills, DoneForDay, a cancel, a replace, a refused replace and a reject become Keel\'s reports', async () => {
  const a = await FixAcceptor.start({
    onOrder: (acc, o) => {
      if (o.qty === 13) { o.status = '8'; acc.report(o, '8', undefined, [[58, 'price out of band'], [103, '99']]); return; }
      acc.report(o, '0');
      if (o.qty >= 10) { o.status = '1'; acc.report(o, '1', { qty: 4, px: o.price }); }
      if (o.qty === 20) { o.status = '3'; acc.report(o, '3'); }
    },
  });
  const h = await fixVenue(a.port, storePath());
  try {
    const day = limit('buy', 20, 3893);
    const cancel = limit('buy', 10, 3800);
    const repl = limit('sell', 10, 4000);
    const rej = limit('buy', 13, 3893);
    for (const o of [day, cancel, repl, rej]) h.venue.submit(o);
    await until('all acked', () => types(h, repl.clientOrderId).includes('order.filled') && types(h, rej.clientOrderId).length > 0 && types(h, day.clientOrderId).includes('order.expired'));
    assert.deepEqual(types(h, day.clientOrderId), ['order.accepted', 'order.filled', 'order.expired']);
    const partial = h.reports.find((r) => r.clientOrderId === day.clientOrderId && r.type === 'order.filled');
    assert.ok(partial?.type === 'order.filled' && partial.leavesQuantity === 16 && partial.fill.quantity === 4 && partial.fill.price === 3893);
    assert.deepEqual(h.reports.filter((r) => r.clientOrderId === rej.clientOrderId).map((r) => r.type === 'order.rejected' && r.reason), ['price out of band']);
    h.venue.cancel(cancel.clientOrderId);
    await until('canceled', () => types(h, cancel.clientOrderId).includes('order.canceled'));
    const f = a.got('F')[0];
    assert.equal(f.get(41), cancel.clientOrderId);
    assert.equal(f.get(11), `${cancel.clientOrderId}~c1`);
    h.venue.replace({ ...repl, quantity: 15, limitPrice: 4010 } as typeof repl);
    await until('updated', () => types(h, repl.clientOrderId).includes('order.updated'));
    const g = a.got('G')[0];
    assert.equal(g.get(38), '15');
    assert.equal(g.get(44), '40.1');
    h.venue.replace({ ...repl, quantity: 2 } as typeof repl); // below the 4 filled: refused
    await until('update-rejected', () => types(h, repl.clientOrderId).includes('order.update-rejected'));
    assert.equal(a.got('G')[1].get(41), `${repl.clientOrderId}~r1`, 'the second replace names the first replace\'s ClOrdID');
    const snap = await h.venue.query();
    assert.equal(snap.positions.ORCL, 4 + 4 - 4, 'bought 4 twice (the DAY order, the canceled one) and sold 4');
    assert.deepEqual(Object.fromEntries(snap.orders.map((o) => [o.clientOrderId, o.status])), {
      [day.clientOrderId]: 'EXPIRED', [cancel.clientOrderId]: 'CANCELED', [repl.clientOrderId]: 'PARTIALLY_FILLED', [rej.clientOrderId]: 'REJECTED',
    });
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('market orders refused by config are refused before anything is sent', async () => {
  const a = await FixAcceptor.start();
  const h = await fixVenue(a.port, storePath(), { orderTypes: ['limit'] });
  try {
    const o = market('buy', 1);
    h.venue.submit(o);
    await until('refused', () => types(h, o.clientOrderId).includes('order.rejected'));
    assert.equal(a.got('D').length, 0);
    assert.deepEqual(h.venue.capabilities.orderTypes, ['limit']);
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('Commission (12) with CommType (13) becomes the fill\'s fee, exact: absolute, per unit, percentage; the snapshot\'s cash pays it', async () => {
  const a = await FixAcceptor.start({
    onOrder: (acc, o) => {
      acc.report(o, '0');
      o.status = '2';
      const commission: Record<number, Array<[number, string]>> = { 10: [[12, '1.25'], [13, '3']], 4: [[12, '0.01'], [13, '1']], 5: [[12, '0.1'], [13, '2']], 6: [[12, '2']], 7: [[12, '1'], [13, '9']] };
      acc.report(o, '2', { qty: o.qty, px: o.price }, commission[o.qty] ?? []);
    },
  });
  const h = await fixVenue(a.port, storePath());
  try {
    const start = (await h.venue.query()).cash;
    const orders = [limit('buy', 10, 3893), limit('buy', 4, 3893), limit('buy', 5, 3893), limit('buy', 6, 3893), limit('buy', 3, 3893), limit('buy', 7, 3893)];
    for (const o of orders) h.venue.submit(o);
    await until('every answer', () => orders.every((o) => types(h, o.clientOrderId).some((t) => t === 'order.filled' || t === 'order.unknown')));
    const fee = (o: (typeof orders)[number]) => {
      const r = h.reports.find((x) => x.clientOrderId === o.clientOrderId && x.type === 'order.filled');
      return r?.type === 'order.filled' ? r.fill.fee : undefined;
    };
    const E12 = 10n ** 12n;
    assert.equal(fee(orders[0]), 1_250_000_000_000n, 'absolute 1.25');
    assert.equal(fee(orders[1]), 40_000_000_000n, '0.01 per share x 4 = 0.04');
    assert.equal(fee(orders[2]), 194_650_000_000n, '0.1% of 5 x 38.93 = 0.19465');
    assert.equal(fee(orders[3]), 2n * E12, 'no CommType: absolute');
    assert.equal(fee(orders[4]), 0n, 'no Commission: no fee');
    assert.deepEqual(types(h, orders[5].clientOrderId).filter((t) => t !== 'order.accepted'), ['order.unknown'], 'an unknown CommType is not booked as a guess');
    const snap = await h.venue.query();
    const bought = 28n * 3893n * E12 / 100n;
    assert.equal(start - snap.cash, bought + 1_250_000_000_000n + 40_000_000_000n + 194_650_000_000n + 2n * E12);
  } finally {
    await h.venue.close();
    await a.stop();
  }
});
