import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMoney } from '../../src/model/index.ts';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/index.ts';
import { openSqliteJournal, type Journal } from '../../src/store/index.ts';
import { SocketVenue, percentFee } from '../../src/venues/index.ts';
import { runPaperEngine, type PaperRunSummary } from '../../src/runtime/index.ts';
import { SNAPSHOT_FORMAT, type EngineSnapshot } from '../../src/runtime/engine-snapshot.ts';
import { startVenue } from '../helpers/crash-harness.ts';

async function run(port: number, journal: Journal, o: { reconcileOnly?: boolean; snapshotEvery?: number } = {}): Promise<PaperRunSummary> {
  const venue = await SocketVenue.connect('127.0.0.1', port, 'paper');
  try {
    return await runPaperEngine({
      account: 'paper', strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params: { fast: 2, slow: 5 },
      strategyVersion: 'test', instrument: venue.instrument, initialCash: parseMoney('100000', 'cash'),
      sizing: { kind: 'units', units: 100 }, fees: percentFee('0.1'), journal, venue, ...o,
    });
  } finally {
    await venue.close();
  }
}

/**
 * Marks are not ledger state: a replay of the journal knows only fill prices, the snapshot keeps the last
 * market price it saw. The next bar replaces both.
 */
function withoutMarks(s: EngineSnapshot): EngineSnapshot {
  return { ...s, ledger: { ...s.ledger, positions: s.ledger.positions.map((p) => ({ ...p, lastPrice: null })) } };
}

async function latestState(path: string): Promise<{ seq: number; state: EngineSnapshot }> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    const s = await j.latestSnapshot();
    assert.ok(s, `${path} has a snapshot`);
    return s as { seq: number; state: EngineSnapshot };
  } finally {
    await j.close();
  }
}

test('a restart from a snapshot plus the journal tail rebuilds the same engine state as a replay of the whole journal', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-snapshot-'));
  // 5 ms a bar: the venue replays on its own clock, and at 1 ms a busy machine had the market over before the engine's orders arrived.
  const venue = await startVenue(160, 5);
  try {
    const path = join(dir, 'journal.sqlite');
    const first = await openSqliteJournal({ path });
    const session = await run(venue.port, first, { snapshotEvery: 9 });
    await first.close();
    assert.equal(session.final.verdict, 'ACTIVE');
    assert.ok(venue.stats().fills >= 6, `the session traded: ${JSON.stringify(venue.stats())}`);

    // Keep a snapshot from the middle of the session in one copy, none in the other.
    const db = new DatabaseSync(path);
    const seqs = (db.prepare('SELECT seq FROM snapshots ORDER BY seq').all() as Array<{ seq: number }>).map((r) => r.seq);
    db.close();
    assert.ok(seqs.length >= 4, `periodic snapshots were saved: ${seqs}`);
    const middle = seqs[Math.floor(seqs.length / 2)];
    const fromSnapshot = join(dir, 'from-snapshot.sqlite');
    const fromScratch = join(dir, 'from-scratch.sqlite');
    for (const [copy, keepUpTo] of [[fromSnapshot, middle], [fromScratch, 0]] as const) {
      copyFileSync(path, copy);
      const c = new DatabaseSync(copy);
      c.prepare('DELETE FROM snapshots WHERE seq > ?').run(keepUpTo);
      c.close();
    }

    const a = await openSqliteJournal({ path: fromSnapshot });
    const withSnapshot = await run(venue.port, a, { reconcileOnly: true });
    await a.close();
    const b = await openSqliteJournal({ path: fromScratch });
    const withoutSnapshot = await run(venue.port, b, { reconcileOnly: true });
    await b.close();

    assert.equal(withSnapshot.fromSnapshot, middle);
    assert.equal(withoutSnapshot.fromSnapshot, undefined);
    assert.ok(withSnapshot.replayedEvents > 0 && withSnapshot.replayedEvents < withoutSnapshot.replayedEvents,
      `the snapshot shortened the replay: ${withSnapshot.replayedEvents} vs ${withoutSnapshot.replayedEvents}`);
    assert.equal(withSnapshot.reconciliation.verdict, 'ACTIVE', withSnapshot.reconciliation.lines.join('\n'));
    assert.equal(withoutSnapshot.reconciliation.verdict, 'ACTIVE', withoutSnapshot.reconciliation.lines.join('\n'));

    // Both restarts saved a snapshot after reconciling: the whole engine state, compared field by field.
    const sa = await latestState(fromSnapshot);
    const sb = await latestState(fromScratch);
    assert.equal(sa.state.format, SNAPSHOT_FORMAT);
    assert.equal(sa.seq, sb.seq);
    const { finishedOrderIds: fa, tradeIds: ta, ...restA } = withoutMarks(sa.state);
    const { finishedOrderIds: fb, tradeIds: tb, ...restB } = withoutMarks(sb.state);
    assert.deepEqual(restA, restB);
    assert.deepEqual([...fa].sort(), [...fb].sort());
    assert.deepEqual([...ta].sort(), [...tb].sort());
    assert.ok(restA.ledger.positions.length > 0 && fa.length > 0 && ta.length > 0, 'the compared state is not empty');
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot this Keel cannot use is skipped with a reason, and the whole journal is replayed instead', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-snapshot-'));
  const venue = await startVenue(60, 1);
  try {
    const path = join(dir, 'journal.sqlite');
    const j = await openSqliteJournal({ path });
    await run(venue.port, j);
    const seq = await j.lastSeq();
    await j.saveSnapshot({ seq, ts: 1, state: { format: SNAPSHOT_FORMAT, version: 99 } });
    await j.close();
    const again = await openSqliteJournal({ path });
    const summary = await run(venue.port, again, { reconcileOnly: true });
    await again.close();
    assert.equal(summary.fromSnapshot, undefined);
    assert.match(summary.snapshotSkipped ?? '', /snapshot at seq \d+ not used: its version is 99; this Keel reads version 1; replaying the whole journal/);
    assert.equal(summary.reconciliation.verdict, 'ACTIVE', summary.reconciliation.lines.join('\n'));
    assert.ok(summary.replayedEvents > 0);
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
