import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineInstrument, instrumentSpecOf, KeelError } from '../../src/model/index.ts';
import { openSqliteJournal } from '../../src/store/index.ts';
import { readSession } from '../../src/post-trade/index.ts';

test('a journal without an engine session, or without recorded market data, is refused in one line naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-read-session-'));
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'j.sqlite') });
    await assert.rejects(readSession(journal), (e: unknown) => e instanceof KeelError && e.code === 'NOT_A_SESSION' && /--journal = ".*j\.sqlite": holds no engine session/.test(e.message));
    const acme = defineInstrument({ id: 'ACME', priceTick: '0.01' });
    await journal.append([{ ts: 1, stream: { account: 'A' }, type: 'engine.started', payload: { initialCash: 10n ** 17n, instrument: 'ACME', instrumentSpec: instrumentSpecOf(acme) } }]);
    await assert.rejects(readSession(journal), (e: unknown) => e instanceof KeelError && e.code === 'NO_MARKET_DATA' && /\(run the session again with this Keel\)$/.test(e.message));
    await journal.append([
      { ts: 2, stream: { account: 'A', instrument: 'ACME' }, type: 'market.bar', payload: { type: 'bar', instrumentId: 'ACME', ts: 2, open: 1, high: 1, low: 1, close: 1, volume: 5 } },
      { ts: 3, stream: { account: 'A' }, type: 'risk.checks', payload: { orders: [], modifications: [], flatten: [], limits: null, mode: 'live' } },
    ]);
    const s = await readSession(journal);
    assert.equal(s.side.label, 'live', 'labelled as the engine ran');
    assert.equal(s.market.length, 1);
    assert.equal(s.initialCash, 10n ** 17n);
    await journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
