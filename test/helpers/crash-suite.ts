import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSqliteJournal, type Journal } from '../../src/store/index.ts';
import { openPostgresJournal } from '../../src/store/postgres/index.ts';
import { describeKill, killPlan, runEngine, startVenue, venueState } from './crash-harness.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Where a scenario's journal lives, how the engine is told, and how the test reads it back. */
interface JournalTarget {
  readonly args: string[];
  open(): Promise<Journal>;
  cleanup(): Promise<void>;
}

function sqliteTarget(dir: string): JournalTarget {
  const path = join(dir, 'journal.sqlite');
  return { args: ['--journal', path], open: () => openSqliteJournal({ path }), cleanup: async () => {} };
}

function postgresTarget(seed: number): JournalTarget {
  const schema = `keel_crash_${process.pid}_${seed}`;
  return {
    args: ['--journal', PG_URL, '--journal-schema', schema],
    open: () => openPostgresJournal({ connection: { url: PG_URL }, schema, readOnly: true }),
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await c.end(); }
    },
  };
}

const PARALLEL = 2;

/**
 * Kill the engine at seeded points (between journaling an intent and sending it, after a report arrives and
 * before it is journaled, ...), restart it on the same journal while the venue's market keeps running, and
 * check the venue and the journal agree in the end: no lost order, no duplicate, same position and cash.
 */
type Seen = { plannedKills: number; landedKills: number; reportsAppliedOnRestart: number; neverReached: number };

async function scenario(kind: 'sqlite' | 'postgres', seed: number, seen: Seen): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
  const venue = await startVenue(240, 3);
  const target = kind === 'sqlite' ? sqliteTarget(dir) : postgresTarget(seed);
  const plan = killPlan(seed);
  // Snapshots every few events in most plans, so kills land around them and restarts begin from them.
  const snapshotEvery = ['0', '5', '13'][seed % 3];
  const extra = ['--snapshot-every', snapshotEvery];
  const what = `seed ${seed} (${plan.map(describeKill).join(', ')}; snapshot every ${snapshotEvery})`;
  try {
    for (const kill of plan) {
      const run = await runEngine(venue.port, target.args, kill, extra);
      assert.ok(run.signal === 'SIGKILL' || run.code === 0, `${what}: a killed run dies by SIGKILL or finishes: ${run.code} ${run.signal} ${run.stderr}`);
      seen.plannedKills++;
      if (run.signal === 'SIGKILL') seen.landedKills++;
    }
    const last = await runEngine(venue.port, target.args, undefined, extra);
    const applied = /(\d+) report\(s\) applied/.exec(last.stdout);
    if (applied && Number(applied[1]) > 0) seen.reportsAppliedOnRestart++;
    if (/never reached the venue/.test(last.stdout)) seen.neverReached++;
    assert.equal(last.code, 0, `${what}: the final run ends cleanly\n${last.stdout}\n${last.stderr}`);
    assert.doesNotMatch(last.stdout, /MISMATCH/, `${what}\n${last.stdout}`);
    assert.match(last.stdout, /end of session[\s\S]*verdict: in agreement/, `${what}\n${last.stdout}`);
    assert.equal(venue.stats().duplicateSubmits, 0, `${what}: no order was sent twice`);

    const state = await venueState(venue.port);
    const journal = await target.open();
    try {
      const mine = new Map((await journal.orders()).map((o) => [o.clientOrderId, o]));
      for (const o of state.orders) assert.ok(mine.has(o.clientOrderId), `${what}: venue order ${o.clientOrderId} is in the journal`);
      const venueOpen = new Set(state.orders.filter((o) => !['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'].includes(o.status)).map((o) => o.clientOrderId));
      const journalOpen = new Set((await journal.orders({ openOnly: true })).map((o) => o.clientOrderId));
      assert.deepEqual([...journalOpen].sort(), [...venueOpen].sort(), `${what}: the same orders are working`);
      const positions = Object.fromEntries((await journal.positions()).filter((p) => p.lots !== 0).map((p) => [p.instrument, p.lots]));
      const venuePositions = Object.fromEntries(Object.entries(state.positions).filter(([, l]) => l !== 0));
      assert.deepEqual(positions, venuePositions, `${what}: the journal's position is the venue's`);
      const fills = new Set((await journal.fills()).map((f) => f.tradeId));
      for (const f of state.fills) assert.ok(fills.has(f.tradeId), `${what}: venue fill ${f.tradeId} is in the journal`);
      assert.equal(fills.size, state.fills.length, `${what}: no fill booked twice or invented`);
      const [balance] = await journal.balances();
      if (state.fills.length > 0) assert.equal(BigInt(balance.cash), state.cash, `${what}: the journal's cash is the venue's, exactly`);
    } finally {
      await journal.close();
    }
  } finally {
    await venue.close();
    await target.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Register the crash test for one journal kind (`KEEL_CRASH_SCENARIOS` sets the number of kill plans, default 50). */
export function crashSuite(kind: 'sqlite' | 'postgres', firstSeed: number): void {
  const SCENARIOS = Number(process.env.KEEL_CRASH_SCENARIOS ?? 50);
  test(`crash recovery on ${kind}: ${SCENARIOS} seeded kill plans end with the engine agreeing with the venue`, { timeout: 600_000 }, async () => {
  const seen: Seen = { plannedKills: 0, landedKills: 0, reportsAppliedOnRestart: 0, neverReached: 0 };
  for (let s = 0; s < SCENARIOS; s += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, SCENARIOS - s) }, (_, k) => scenario(kind, firstSeed + s + k, seen)));
  }
  // The kills must land where they were aimed, and restarts must have had something to repair.
  if (SCENARIOS >= 20) {
    assert.ok(seen.landedKills >= seen.plannedKills * 0.5, `kills landed: ${JSON.stringify(seen)}`);
    assert.ok(seen.reportsAppliedOnRestart > 0, `some restart applied fills or reports from while it was down: ${JSON.stringify(seen)}`);
    assert.ok(seen.neverReached > 0, `some restart found an intent that never reached the venue: ${JSON.stringify(seen)}`);
  }
  console.log(`crash scenarios (${kind}): ${JSON.stringify(seen)}`);
  });
}
