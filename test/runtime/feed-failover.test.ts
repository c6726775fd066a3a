import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveStatusEvent } from '../../src/data/index.ts';
import { createAlpacaVenue } from '../../src/venues/index.ts';
import { venueFeed } from '../../src/runtime/index.ts';
import { alpacaConfig, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

test('when the venue\'s own market data goes stale the engine fails over to the configured backup feed and keeps trading', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-failover-'));
  const venue = await startAlpacaVenue({ untilBar: 80 });
  const silent = await startAlpacaVenue({ untilBar: 80 }); // connected, never stepped: a feed that says nothing
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    // The backup: the venue's own data, on a connection used for market data only.
    const backup = await createAlpacaVenue(alpacaConfig(venue));
    const statuses: LiveStatusEvent[] = [];
    const deadWs = silent.url.replace(/^http/, 'ws');
    const session = await startPaperSession(venue, journal, { dataUrl: silent.url, dataStreamUrl: deadWs }, {
      marketData: {
        config: { failover: { staleAfterMs: 300, holdDownMs: 60_000 }, timerMs: 50 },
        backups: [venueFeed(backup, { name: 'backup', own: true })],
        onStatus: (s) => statuses.push(s),
      },
    });
    await new Promise((r) => setTimeout(r, 500)); // the primary feed goes stale
    await stepBars(venue, session.venue, 60);
    const summary = await session.stop();
    await backup.close();
    const fills = await journal.fills();
    await journal.close();
    assert.ok(statuses.some((s) => s.type === 'feed.failover'), JSON.stringify(statuses));
    assert.ok(fills.length >= 2, `it traded on the backup's data: ${fills.length} fills`);
    assert.equal(summary.final.verdict, 'ACTIVE', summary.final.lines.join('\n'));
  } finally {
    await venue.close();
    await silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
