import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineInstrument, instrumentSpecOf, type Fill, type OrderEvent } from '../../src/model/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { openSqliteJournal, type NewJournalEvent } from '../../src/store/index.ts';
import { microsecondTime, orderRecords, pruneRecordExports, recordsCsv, recordsJson } from '../../src/compliance/index.ts';

const ACME = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const V1 = 'sha256:aaaa {"fast":3}';
const T0 = Date.parse('2025-03-03T14:30:00.123Z');

function ev(e: OrderEvent | { type: 'order.cancel-requested'; ts: number; clientOrderId: string; reason: string }, strategy = 's1', version = V1): NewJournalEvent {
  return { ts: e.ts, stream: { account: 'A', strategy, instrument: 'ACME' }, type: e.type, payload: e, version };
}
function fill(id: string, venueId: string, trade: string, qty: number, price: number, ts: number, fee = 1_000_000_000_000n): Fill {
  return { clientOrderId: id, venueOrderId: venueId, tradeId: trade, strategyId: 's1', instrumentId: 'ACME', side: 'buy', quantity: qty as Fill['quantity'], price: price as Fill['price'], fee, liquidity: 'taker', ts, decisionPrice: undefined };
}

test('order records: lifecycle to the microsecond, ids, version, reason, checks, sender, fills, cancels, kill switch, denials, and the period', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-records-'));
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'j.sqlite') });
    const limit = buildOrder(ACME, { side: 'buy', quantity: 30, limitPrice: 10.5, tag: '=cmd|calc' }, 's1-1', 's1', T0);
    const market = buildOrder(ACME, { side: 'buy', quantity: 5, tag: 'entry' }, 's1-3', 's1', T0 + 1000);
    const flatten = { ...buildOrder(ACME, { side: 'sell', quantity: 10 }, 'kill-switch-1', 's1', T0 + 5000), reduceOnly: true };
    await journal.append([
      { ts: T0 - 10, stream: { account: 'A' }, type: 'engine.started', payload: { instrument: 'ACME', instrumentSpec: instrumentSpecOf(ACME) } },
      { ts: T0 - 6, stream: { account: 'A', strategy: 's1' }, type: 'strategy.identity', version: V1, payload: { type: 'strategy.identity', ts: T0 - 6, role: 'live', reason: 'run-start', identity: { versionId: V1, strategyId: 's1', strategy: 's1', file: null, codeHash: 'ab'.repeat(32), git: { commit: 'c0ffee1', dirty: true }, params: { fast: 3 }, keelVersion: '0.1.0', configHash: null } } },
      { ts: T0 - 5, stream: { account: 'A' }, type: 'risk.checks', payload: { orders: ['order-shape', 'price-collar', 'order-size'], flatten: ['order-shape', 'instrument-rules'] } },
      ev({ type: 'order.submitted', ts: T0, order: limit }),
      ev({ type: 'order.accepted', ts: T0 + 2, clientOrderId: 's1-1', venueOrderId: 'V-1' }),
      ev({ type: 'order.filled', ts: T0 + 900, clientOrderId: 's1-1', fill: fill('s1-1', 'V-1', 'T-1', 10, 1049, T0 + 900), leavesQuantity: 20 as Fill['quantity'] }),
      ev({ type: 'order.denied', ts: T0 + 1000, clientOrderId: 's1-2', check: 'order-size', reason: 'Order notional 52.00 exceeds 50.00' }),
      ev({ type: 'order.cancel-requested', ts: T0 + 4000, clientOrderId: 's1-1', reason: 'kill switch' }),
      ev({ type: 'order.canceled', ts: T0 + 4001, clientOrderId: 's1-1', reason: 'canceled by the client' }),
      { ts: T0 + 5000, stream: { account: 'A' }, type: 'risk.kill-switch', payload: { type: 'risk.kill-switch', ts: T0 + 5000, by: 'token:ops', reason: 'runaway', canceled: ['s1-1'], flattenOrders: ['kill-switch-1'], notFlattened: [] } },
      ev({ type: 'order.submitted', ts: T0 + 5000, order: flatten }),
      ev({ type: 'order.filled', ts: T0 + 5100, clientOrderId: 'kill-switch-1', fill: { ...fill('kill-switch-1', 'V-2', 'T-2', 10, 1040, T0 + 5100), side: 'sell' }, leavesQuantity: 0 as Fill['quantity'] }),
      { ts: T0 + 6000, stream: { account: 'A' }, type: 'operator.action', payload: { action: 'rearm', actor: 'token:ops', reason: 'checked' } },
      // Next day: outside the period asked for below.
      ev({ type: 'order.submitted', ts: T0 + 86_400_000, order: market }),
    ]);
    const r = await orderRecords(journal, { from: Date.parse('2025-03-03'), to: Date.parse('2025-03-04') });
    await journal.close();

    assert.deepEqual(r.orders.map((o) => o.clientOrderId), ['s1-1', 's1-2', 'kill-switch-1']);
    const [lim, denied, kill] = r.orders;
    assert.equal(lim.submittedAt, '2025-03-03T14:30:00.123000Z');
    assert.deepEqual(lim.lifecycle.map((s) => s.event), ['submitted', 'accepted', 'filled', 'cancel-requested', 'canceled']);
    assert.equal(lim.venueOrderId, 'V-1');
    assert.equal(lim.strategyVersion, V1);
    assert.deepEqual(lim.strategyIdentity, { codeHash: 'ab'.repeat(32), gitCommit: 'c0ffee1', gitDirty: true, params: '{"fast":3}', keelVersion: '0.1.0' });
    assert.equal(lim.limitPrice, '10.50');
    assert.equal(lim.decisionReason, '=cmd|calc');
    assert.equal(lim.sentBy, 'strategy:s1');
    assert.deepEqual(lim.riskChecksPassed, ['order-shape', 'price-collar', 'order-size']);
    assert.equal(lim.status, 'CANCELED');
    assert.equal(lim.filledQuantity, '10');
    assert.deepEqual(lim.fills.map((f) => [f.tradeId, f.quantity, f.price, f.fee]), [['T-1', '10', '10.49', '1.00']]);
    assert.equal(denied.status, 'DENIED');
    assert.deepEqual(denied.denied, { check: 'order-size', reason: 'Order notional 52.00 exceeds 50.00' });
    assert.deepEqual(denied.riskChecksPassed, []);
    assert.equal(kill.sentBy, 'kill-switch:token:ops');
    assert.equal(kill.decisionReason, 'kill switch: runaway');
    assert.deepEqual(kill.riskChecksPassed, ['order-shape', 'instrument-rules']);
    assert.equal(kill.status, 'FILLED');
    assert.deepEqual(r.killSwitches.map((k) => [k.by, k.canceled, k.flattenOrders]), [['token:ops', ['s1-1'], ['kill-switch-1']]]);
    assert.deepEqual(r.operatorActions.map((a) => [a.action, a.actor]), [['rearm', 'token:ops']]);

    const csv = recordsCsv(r);
    const rows = csv.trimEnd().split('\r\n');
    assert.equal(rows.length, 1 + 5 + 1 + 2 + 1 + 1, csv);
    assert.match(rows[3], /^order,6,2025-03-03T14:30:01\.023000Z,A,s1,"sha256:aaaa \{""fast"":3\}",(ab){32},c0ffee1\+dirty,ACME,s1-1,V-1,filled,buy,limit,30,10\.50,,GTC,'=cmd\|calc,strategy:s1,order-shape price-collar order-size,T-1,10,10\.49,1\.00,taker,/);
    assert.ok(rows.some((l) => l.startsWith('kill-switch,') && l.includes('token:ops')), csv);
    assert.equal(JSON.parse(recordsJson(r)).orders.length, 3);
    assert.equal(microsecondTime(Date.parse('2025-01-02T03:04:05.678Z')), '2025-01-02T03:04:05.678000Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pruning deletes only exports whose every record is past retention; anything inside it, open-ended or foreign is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-prune-'));
  try {
    const now = Date.parse('2031-06-01T00:00:00Z');
    const header = 'record,seq,time_utc,account\r\n';
    writeFileSync(join(dir, 'old.csv'), `${header}order,1,2020-01-02T00:00:00.000000Z,A\r\norder,2,2020-03-01T00:00:00.000000Z,A\r\n`);
    // One record inside retention (five years and a leap day before now is 2026-05-31): the whole file stays.
    writeFileSync(join(dir, 'straddles.csv'), `${header}order,1,2020-01-02T00:00:00.000000Z,A\r\norder,9,2026-06-02T00:00:00.000000Z,A\r\n`);
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ format: 'keel-order-records', to: '2021-01-01T00:00:00.000Z', orders: [{ lifecycle: [{ time: '2020-12-31T00:00:00.000000Z' }] }] }));
    writeFileSync(join(dir, 'open.json'), JSON.stringify({ format: 'keel-order-records', to: null, orders: [] }));
    writeFileSync(join(dir, 'notes.csv'), 'date,what\r\n2019-01-01,party\r\n');
    writeFileSync(join(dir, 'bad-time.csv'), `${header}order,1,not-a-time,A\r\n`);
    const dry = pruneRecordExports(dir, { retentionDays: 1827, now, dryRun: true });
    assert.deepEqual(dry.deleted, ['old.csv', 'old.json']);
    assert.equal(readdirSync(dir).length, 6, 'a dry run deletes nothing');
    const r = pruneRecordExports(dir, { retentionDays: 1827, now });
    assert.deepEqual(r.deleted, ['old.csv', 'old.json']);
    assert.deepEqual(r.kept, ['straddles.csv']);
    assert.deepEqual([...r.skipped].sort(), ['bad-time.csv', 'notes.csv', 'open.json']);
    assert.deepEqual(readdirSync(dir).sort(), ['bad-time.csv', 'notes.csv', 'open.json', 'straddles.csv']);
    assert.throws(() => pruneRecordExports(dir, { retentionDays: 0, now }), /retentionDays/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
