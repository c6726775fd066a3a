import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KeelError, Secret } from '../../../src/model/index.ts';
import { connectConfiguredVenue, parseRunConfig, resolveRunSecrets } from '../../../src/runtime/index.ts';
import { initVault, openVault, setSecret, updateVault } from '../../../src/security/index.ts';
import { SessionStore } from '../../../src/venues/fix/index.ts';
import { FixAcceptor } from '../../helpers/fix-acceptor.ts';
import { until } from '../../helpers/wait.ts';
import { FAST_KDF, PASSPHRASE, tempFolder } from '../../security/vault-helpers.ts';
import { fixVenue, limit, storePath, types } from './helpers.ts';

test('an ExecutionReport truly lost (the counterparty gap-fills it): the OrderStatusRequest of reconciliation finds the order working', async () => {
  const a = await FixAcceptor.start({ onOrder: (acc, o) => { acc.report(o, '0'); } });
  const lostSeq = a.nextOut + 1; // after its Logon answer: the ack of the first order
  a.skip.add(lostSeq);
  a['b'].lose = new Set([lostSeq]);
  const h = await fixVenue(a.port, storePath());
  try {
    const o = limit('buy', 3, 1000);
    h.venue.submit(o);
    await until('the ack to be numbered', () => a.nextOut > lostSeq);
    a.sendApp('0', []); // the next message shows the gap; the resend gap-fills it
    await until('the gap filled', () => h.logs.some((l) => /resend complete/.test(l)));
    assert.deepEqual(types(h, o.clientOrderId), [], 'nothing known yet: the ack is gone');
    const snap = await h.venue.query();
    assert.equal(a.got('H').length, 1, 'one OrderStatusRequest');
    assert.equal(a.got('H')[0].get(11), o.clientOrderId);
    assert.deepEqual(types(h, o.clientOrderId), ['order.accepted']);
    assert.equal(snap.orders.find((x) => x.clientOrderId === o.clientOrderId)?.status, 'ACCEPTED');
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('start-up reconciliation: an order the store sent but the counterparty never received is rejected as never reached, not resent', async () => {
  const a = await FixAcceptor.start();
  const store = storePath();
  // A previous process stored the order and numbered its NewOrderSingle, then died before the bytes left.
  const s = SessionStore.open(store, 'FIX.4.2:KEEL->ACCEPTOR', '100000');
  const o = limit('buy', 2, 3893, 'gone-1');
  s.putOrder({ request: JSON.parse(JSON.stringify(o)) as Record<string, unknown>, fixId: o.clientOrderId, fixIds: [o.clientOrderId], status: 'SUBMITTED', cumQty: '0', seq: 1, n: 0 });
  s.takeOut(() => '8=FIX.4.2\x019=5\x0135=D\x0110=000\x01', false);
  const h = await fixVenue(a.port, store);
  try {
    const snap = await h.venue.query();
    assert.equal(snap.orders.find((x) => x.clientOrderId === 'gone-1')?.status, 'REJECTED');
    assert.ok(h.reports.some((r) => r.type === 'order.rejected' && /never reached the venue/.test(r.reason)));
    assert.equal(a.got('D').length, 0, 'never sent late');
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

test('the counterparty\'s numbers are below the store\'s (it reset its session): one line naming the store, logged out, nothing sent', async () => {
  const a = await FixAcceptor.start();
  const store = storePath();
  const s = SessionStore.open(store, 'FIX.4.2:KEEL->ACCEPTOR', '100000');
  s.setNextIn(50);
  await assert.rejects(fixVenue(a.port, store), (e: unknown) => {
    assert.ok(e instanceof KeelError);
    assert.match(e.message, new RegExp(`^fix\\.store = "?${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"?: FIX session FIX\\.4\\.2:KEEL->ACCEPTOR: MsgSeqNum too low: expected 50, received 1`));
    return true;
  });
  await until('the logout', () => a.got('5').length === 1);
  assert.match(a.got('5')[0].get(58) ?? '', /MsgSeqNum too low/);
  assert.equal(a.got('D').length, 0);
  await a.stop();
});

test('password: secret:FIX_PASSWORD in a run config comes from the vault to the Logon and nowhere else', async () => {
  const a = await FixAcceptor.start();
  const t = tempFolder('keel-fix-vault-');
  const value = 'vault-fix-password-51ac';
  try {
    const vault = t.path('keel.vault');
    await initVault(vault, PASSPHRASE, { kdf: FAST_KDF });
    await updateVault(vault, PASSPHRASE, (c) => setSecret(c, 'FIX_PASSWORD', new Secret(value), new Date()));
    const text = `strategy: { name: sma-cross }\njournal: ${join(t.dir, 'j.sqlite')}\nvenue: { kind: fix, host: 127.0.0.1, port: ${a.port}, senderCompId: KEEL, targetCompId: ACCEPTOR, symbols: [ORCL], password: "secret:FIX_PASSWORD", trace: true }\n`;
    const cfg = parseRunConfig(text, join(t.dir, 'keel.yaml'));
    const { config } = await resolveRunSecrets(cfg, { path: vault, open: () => openVault(vault, PASSPHRASE) });
    const logs: string[] = [];
    const venue = await connectConfiguredVenue(config, { log: (l) => logs.push(l) });
    try {
      assert.equal(a.got('A')[0].get(554), value);
      assert.match(venue.description, /^fix FIX\.4\.2 KEEL->ACCEPTOR at 127\.0\.0\.1:\d+$/);
      assert.ok(logs.some((l) => /554=\[redacted\]/.test(l)));
      for (const l of logs) assert.ok(!l.includes(value), l);
      assert.ok(!JSON.stringify(config.venue).includes(value), 'the config prints the secret as [redacted]');
    } finally {
      await venue.session.close();
    }
  } finally {
    t.remove();
    await a.stop();
  }
});

test('resetOnLogon: the first logon starts both sides at 1 with ResetSeqNumFlag, and orders flow', async () => {
  const a = await FixAcceptor.start();
  const store = storePath();
  const s = SessionStore.open(store, 'FIX.4.2:KEEL->ACCEPTOR', '100000');
  s.setNextIn(50);
  const h = await fixVenue(a.port, store, { resetOnLogon: true });
  try {
    const logon = a.got('A')[0];
    assert.equal(logon.get(141), 'Y');
    assert.equal(logon.seqNum, 1);
    const o = limit('buy', 1, 3893);
    h.venue.submit(o);
    await until('filled', () => types(h, o.clientOrderId).includes('order.filled'));
  } finally {
    await h.venue.close();
    await a.stop();
  }
});

for (const maxOrderAgeMs of [30_000, 0]) {
  test(`the counterparty missed our NewOrderSingle and asks again: ${maxOrderAgeMs > 0 ? 'a recent one is resent (PossDupFlag) and fills once' : 'one older than resend.maxOrderAgeMs is gap-filled and rejected as never reached'}`, async () => {
    const a = await FixAcceptor.start();
    const h = await fixVenue(a.port, storePath(), { resend: { maxOrderAgeMs } });
    try {
      a.silent = true; // the order goes into the void
      const o = limit('buy', 4, 3893);
      h.venue.submit(o);
      await until('sent', () => h.logs.some((l) => /^>> .*\|35=D\|/.test(l)));
      await new Promise((r) => setTimeout(r, 20));
      a.silent = false;
      a['admin']('2', [[7, String(a.nextIn)], [16, '0']]);
      if (maxOrderAgeMs > 0) {
        await until('filled', () => types(h, o.clientOrderId).includes('order.filled'));
        assert.equal(a.got('D').length, 1);
        assert.equal(a.got('D')[0].get(43), 'Y');
        assert.deepEqual(types(h, o.clientOrderId), ['order.accepted', 'order.filled']);
      } else {
        await until('rejected', () => types(h, o.clientOrderId).includes('order.rejected'));
        await until('the gap-fill', () => a.got('4').some((m) => m.get(123) === 'Y'));
        assert.equal(a.got('D').length, 0, 'never sent late');
        const r = h.reports.find((x) => x.type === 'order.rejected');
        assert.match(r?.type === 'order.rejected' ? r.reason : '', /not resent: .*never reached the venue/);
        const next = limit('buy', 1, 3893);
        h.venue.submit(next);
        await until('the next order fills', () => types(h, next.clientOrderId).includes('order.filled'));
      }
    } finally {
      await h.venue.close();
      await a.stop();
    }
  });
}
