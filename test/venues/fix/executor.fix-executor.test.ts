import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KeelError } from '../../../src/model/index.ts';
import { startExecutor } from '../../helpers/fix-executor.ts';
import { until } from '../../helpers/wait.ts';
import { SECRET, fixVenue, limit, market, storePath, types } from './helpers.ts';

// Against QuickFIX/C++'s executor (Debian's libquickfix-doc, built by scripts/build-fix-executor.sh): a
// counterparty nobody here wrote. It fills each limit order at its price and rejects other OrdTypes.

for (const version of ['4.2', '4.4'] as const) {
  test(`FIX ${version} with the executor: logon, a limit order filled at its price, a market order rejected with its reason, logout`, async () => {
    const ex = await startExecutor();
    const h = await fixVenue(ex.port, storePath(), { version, cancels: false, replaces: false, statusRequests: false }, 'EXECUTOR');
    try {
      const buy = limit('buy', 100, 3893);
      const mkt = market('sell', 100);
      h.venue.submit(buy);
      h.venue.submit(mkt);
      await until('both answered', () => types(h, buy.clientOrderId).includes('order.filled') && types(h, mkt.clientOrderId).includes('order.rejected'));
      assert.deepEqual(types(h, buy.clientOrderId), ['order.accepted', 'order.filled']);
      const fill = h.reports.find((r) => r.type === 'order.filled');
      assert.ok(fill?.type === 'order.filled' && fill.fill.price === 3893 && fill.fill.quantity === 100 && fill.leavesQuantity === 0);
      const rej = h.reports.find((r) => r.type === 'order.rejected');
      assert.match(rej?.type === 'order.rejected' ? rej.reason : '', /Value is incorrect.*tag 40/);
      const snap = await h.venue.query();
      assert.equal(snap.positions.ORCL, 100);
      assert.equal(snap.cash, 100000_000000000000n - 3893_000000000000n, 'cash: 100000 - 100 x 38.93, exact');
      await h.venue.close();
      assert.match(ex.out(), new RegExp(`FIX\\.${version}:EXECUTOR->KEEL, event>\\s+\\(Received logout request\\)`));
      for (const l of h.logs) assert.ok(!l.includes(SECRET), l);
    } finally {
      await h.venue.close();
      await ex.stop();
    }
  });
}

test('sequence numbers survive a restart: the executor (its own FileStore) accepts the resumed session; an answer lost to a dropped connection arrives by resend', async () => {
  const ex = await startExecutor();
  const store = storePath();
  try {
    const first = await fixVenue(ex.port, store, { statusRequests: false }, 'EXECUTOR');
    const a = limit('buy', 10, 3893);
    first.venue.submit(a);
    await until('filled', () => types(first, a.clientOrderId).includes('order.filled'));
    await first.venue.close();
    const saved = JSON.parse(readFileSync(store, 'utf8')) as { nextOut: number; nextIn: number };
    assert.ok(saved.nextOut >= 4 && saved.nextIn >= 3, JSON.stringify(saved));

    const second = await fixVenue(ex.port, store, { statusRequests: false }, 'EXECUTOR');
    assert.ok(second.logs.some((l) => new RegExp(`logged on \\(our next ${saved.nextOut + 1}, theirs ${saved.nextIn}, expected ${saved.nextIn}\\)`).test(l)), second.logs.join('\n'));
    // The executor answers at once; the connection drops as the order leaves, so its answer is lost on the wire.
    const b = limit('sell', 10, 3900);
    second.venue.submit(b);
    second.venue.session.drop();
    await until('the fill by resend after the reconnect', () => types(second, b.clientOrderId).includes('order.filled'), 15_000);
    assert.deepEqual(types(second, b.clientOrderId), ['order.accepted', 'order.filled']);
    // Either its answer was lost (our ResendRequest brings it) or, if the drop beat the bytes, the order itself
    // (its ResendRequest brings our NewOrderSingle again): both are FIX's recovery, and one fill either way.
    assert.ok(second.logs.some((l) => /gap: expected \d+, received \d+; ResendRequest|resending t-\d+/.test(l)), second.logs.join('\n'));
    assert.equal((ex.out().match(/\x0111=t-\d+\x01/g) ?? []).length >= 2, true);
    await second.venue.close();
    assert.ok(!/MsgSeqNum too low/.test(ex.out()));
  } finally {
    await ex.stop();
  }
});

test('a SenderCompID the executor does not know, and a port nobody listens on: one line each, no reconnect loop', async () => {
  const ex = await startExecutor({ client: 'KEEL' });
  try {
    await assert.rejects(fixVenue(ex.port, storePath(), { senderCompId: 'NOBODY' }, 'EXECUTOR'), (e: unknown) => {
      assert.ok(e instanceof KeelError);
      assert.match(e.message, /FIX session FIX\.4\.2:NOBODY->EXECUTOR .* without answering the Logon \(does it know SenderCompID NOBODY/);
      assert.ok(!e.message.includes('\n'));
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  } finally {
    await ex.stop();
  }
  await assert.rejects(fixVenue(ex.port, storePath(), {}, 'EXECUTOR'), /FIX session .* failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
});
