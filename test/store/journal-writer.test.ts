import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineInstrument, type OrderEvent } from '../../src/model/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { JournalWriter, openSqliteJournal, type SqliteJournal } from '../../src/store/index.ts';
import type { VenueRequest } from '../../src/execution/index.ts';

const acme = defineInstrument({ id: 'ACME', priceTick: '0.01' });

function intent(id: string): VenueRequest {
  return { kind: 'submit', event: { type: 'order.submitted', ts: 1, order: buildOrder(acme, { side: 'buy', quantity: 1 }, id, 's1', 1) } };
}

/** A writer over a fresh SQLite journal, and a second, read-only connection to look at the file as another process would. */
async function setup(fn: (w: JournalWriter, journal: SqliteJournal, onDisk: () => Promise<string[]>, failures: Error[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-writer-'));
  const path = join(dir, 'journal.sqlite');
  const journal = await openSqliteJournal({ path });
  const reader = await openSqliteJournal({ path, readOnly: true });
  const failures: Error[] = [];
  const w = new JournalWriter({ journal, account: 'A', onFailure: (e) => failures.push(e) });
  const onDisk = async () => (await reader.read()).map((r) => `${r.type} ${(r.payload as { order?: { clientOrderId: string }; clientOrderId?: string }).order?.clientOrderId ?? (r.payload as { clientOrderId?: string }).clientOrderId}`);
  try {
    await fn(w, journal, onDisk, failures);
  } finally {
    await reader.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('journal writer: an intent commits at once and its request leaves before beforeSend returns, after what was recorded before it', () => setup(async (w, journal, onDisk) => {
  const accepted: OrderEvent = { type: 'order.accepted', ts: 1, clientOrderId: 'x-0', venueOrderId: 'V0' };
  w.record(accepted); // queued for the group commit
  const sent: string[] = [];
  w.beforeSend(intent('a-1'), () => { sent.push('a-1'); });
  assert.equal(sent.length, 1, 'sent in the same call');
  // What another process sees on disk at the moment of sending: the recorded event, then the intent.
  assert.deepEqual(await onDisk(), ['order.accepted x-0', 'order.submitted a-1']);
  assert.equal(journal.stats().commits, 1, 'one commit for both');
  assert.equal(await w.lastSeqHandedOver(), 2);
}));

test('journal writer: later intents of the same task group-commit, and every request leaves after its intent is durable, in order', () => setup(async (w, journal, onDisk) => {
  const sent: Array<{ id: string; onDisk: string[] }> = [];
  const pending: Array<Promise<void>> = [];
  for (const id of ['b-1', 'b-2', 'b-3', 'b-4']) {
    w.beforeSend(intent(id), () => { pending.push(onDisk().then((d) => { sent.push({ id, onDisk: d }); })); });
  }
  w.beforeSend({ kind: 'cancel', ts: 2, clientOrderId: 'b-1', reason: 'kill switch' }, () => { pending.push(onDisk().then((d) => { sent.push({ id: 'cancel b-1', onDisk: d }); })); });
  assert.equal(pending.length, 1, 'only the first intent of the task left at once');
  await w.flush();
  await Promise.all(pending);
  assert.deepEqual(sent.map((s) => s.id), ['b-1', 'b-2', 'b-3', 'b-4', 'cancel b-1'], 'requests leave in the order they were made');
  for (const s of sent) {
    const id = s.id.startsWith('cancel') ? 'order.cancel-requested b-1' : `order.submitted ${s.id}`;
    assert.ok(s.onDisk.includes(id), `${s.id} was on disk before it left`);
  }
  assert.equal(journal.stats().commits, 2, 'the first intent, then one group commit for the rest of the burst');
  // A new task (here after the microtask queue drained): the next intent commits at once again.
  let now = false;
  w.beforeSend(intent('c-1'), () => { now = true; });
  assert.equal(now, true);
}));

test('journal writer: an intent whose append fails is never sent, and the failure is reported once', () => setup(async (w, journal, _onDisk, failures) => {
  await journal.close();
  let sent = 0;
  w.beforeSend(intent('d-1'), () => { sent++; });
  w.beforeSend(intent('d-2'), () => { sent++; });
  await new Promise((r) => setImmediate(r));
  assert.equal(sent, 0);
  assert.equal(failures.length, 1);
  assert.match(failures[0].message, /is closed/);
  assert.equal(w.hasFailed, true);
}));
