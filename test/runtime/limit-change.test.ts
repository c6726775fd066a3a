import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle } from '../../src/runtime/index.ts';
import type { AuditEvent } from '../../src/security/index.ts';
import { riskConfigFromObject } from '../../src/risk/index.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

const RISK = 'risk';
const BY = { actor: 'user:rita', origin: 'ip:127.0.0.1' } as const;

/**
 * A live limit change on a running paper engine against the local Alpaca venue: orders the old limit denied
 * trade once the new one is in force; a bad key, a breaker change or a missing reason is refused in one line
 * and leaves the limits as they were; each attempt is audited and the change journaled with before and after.
 */
test('limits changed while trading: denied orders before, fills after; bad changes refused and nothing changes', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-limits-'));
  const server = await startAlpacaVenue({ untilBar: 200 });
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    let handle: EngineHandle | undefined;
    const audited: AuditEvent[] = [];
    const initial = { account: { maxOrderNotional: 1 }, breakers: { dailyLoss: { maxLoss: 50000 } } };
    const session = await startPaperSession(server, journal, {}, {
      onHandle: (h) => { handle = h; }, risk: riskConfigFromObject(initial, RISK),
      riskText: 'account:\n  maxOrderNotional: 1\nbreakers:\n  dailyLoss:\n    maxLoss: 50000', audit: { record: (e) => audited.push(e) },
    });
    const h = handle!;
    await stepBars(server, session.venue, 40);
    const deniedBefore = h.risk().denials.find((d) => d.check === 'order-size')?.count ?? 0;
    assert.ok(deniedBefore >= 1, `the 1 USD limit denied the strategy's orders: ${JSON.stringify(h.risk().denials)}`);
    assert.equal((await journal.fills()).length, 0);

    // Refusals: one line naming what is wrong; the limits in force stay.
    const badKey = h.changeLimits({ risk: { account: { maxOrderNotionl: 5 } }, reason: 'typo', by: BY });
    assert.equal(badKey.ok, false);
    assert.match(badKey.message, /maxOrderNotionl/);
    const badValue = h.changeLimits({ risk: { account: { maxOrderNotional: -5 } }, reason: 'negative', by: BY });
    assert.equal(badValue.ok, false);
    assert.match(badValue.message, /maxOrderNotional/);
    assert.match(badValue.message, /-5/);
    const breakers = h.changeLimits({ risk: { account: { maxOrderNotional: 1000000 }, breakers: { dailyLoss: { maxLoss: 1 } } }, reason: 'loosen', by: BY });
    assert.equal(breakers.ok, false);
    assert.match(breakers.message, /risk\.breakers: cannot be changed while trading/);
    assert.equal(h.changeLimits({ risk: { account: { maxOrderNotional: 1000000 } }, reason: ' ', by: BY }).ok, false);
    assert.match(h.risk().limits ?? '', /maxOrderNotional: 1\n/);

    const done = h.changeLimits({ risk: { account: { maxOrderNotional: 1000000 } }, reason: 'limit too tight for the strategy', by: BY });
    assert.equal(done.ok, true, done.message);
    assert.match(done.message, /^limits changed \(account\)/);
    assert.match(h.risk().limits ?? '', /maxOrderNotional: 1000000/);
    assert.match(h.risk().limits ?? '', /dailyLoss:\n\s+maxLoss: 50000/, 'breakers left out of the change stay');
    assert.equal(h.changeLimits({ risk: { account: { maxOrderNotional: 1000000 } }, reason: 'again', by: BY }).ok, false, 'no change is not a change');

    await stepBars(server, session.venue, 80);
    assert.ok((await journal.fills()).length >= 1, 'orders trade under the new limit');
    assert.equal(h.risk().denials.find((d) => d.check === 'order-size')?.count ?? 0, deniedBefore, 'no order-size denial after the change');

    const changes = audited.filter((e) => e.action === 'limits.change');
    assert.deepEqual(changes.map((e) => e.result.status), ['failed', 'failed', 'failed', 'failed', 'ok', 'failed']);
    assert.equal(changes[4].actor, 'user:rita');
    assert.deepEqual(changes[4].details?.changed, ['account']);
    const journaled = (await journal.read({ types: ['operator.action'] })).map((e) => e.payload as { action: string; actor: string; from?: string; to?: string; reason?: string })
      .filter((p) => p.action === 'change-limits');
    assert.equal(journaled.length, 1);
    assert.match(journaled[0].from!, /maxOrderNotional: 1\n/);
    assert.match(journaled[0].to!, /maxOrderNotional: 1000000/);
    assert.equal(journaled[0].reason, 'limit too tight for the strategy');
    await session.stop();
    await journal.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
