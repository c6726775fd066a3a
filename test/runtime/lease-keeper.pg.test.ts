import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { LeaderLease } from '../../src/store/postgres/index.ts';
import { LeaseKeeper, type HaConfig, type StandbyView } from '../../src/runtime/index.ts';
import { until } from '../helpers/wait.ts';

const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const connection = { url: URL };
const config: HaConfig = { lease: 1200, renewEvery: 100, pollEvery: 50, maxLagEvents: 5, maxSilence: 10_000 };

test('the lease keeper renews, shows the standby with its lag, alerts once on a lagging standby, and reports a takeover as lost', { timeout: 30_000 }, async () => {
  const schema = `keel_keeper_${randomBytes(3).toString('hex')}`;
  const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
  const b = await LeaderLease.open({ connection, schema, node: 'node-b' });
  const lags: Array<[StandbyView, string]> = [];
  const lost: string[] = [];
  let keeper: LeaseKeeper | undefined;
  try {
    const t = performance.now();
    const won = await a.acquire(config.lease);
    keeper = new LeaseKeeper({ lease: a, epoch: won!.epoch, config, onLost: (r) => lost.push(r), onStandbyLag: (s, why) => lags.push([s, why]), log: () => {} });
    keeper.start(t);
    assert.equal(keeper.leaseProblem(), undefined);
    // The journal is 20 events ahead of what the standby has seen: past maxLagEvents.
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    try {
      await admin.query(`INSERT INTO ${schema}.events (seq, ts, account, type, payload) SELECT g, 1, 'A', 'note', '{}' FROM generate_series(1, 20) g`);
    } finally {
      await admin.end();
    }
    await b.report('standby', null, 15);
    await until('the standby in the status', () => keeper!.status().standbys.length === 1, 5000);
    assert.deepEqual(keeper.status().standbys.map((s) => [s.node, s.seenSeq, s.lagEvents]), [['node-b', 15, 5]]);
    assert.equal(lags.length, 0, 'at the limit, not past it');
    await b.report('standby', null, 10);
    await until('the lag alert', () => lags.length === 1, 5000);
    assert.match(lags[0][1], /^10 events behind the active \(limit 5\)$/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(lags.length, 1, 'once per episode');
    assert.equal(keeper.status().role, 'active');

    // Another node takes the lease (as after a pause longer than the lease): the keeper reports it lost.
    await a.report('active', 1, 20);
    await admin2(`UPDATE ${schema}.lease SET epoch = epoch + 1, holder = 'node-b'`);
    await until('the loss', () => lost.length === 1, 5000);
    assert.match(lost[0], /node node-b holds the lease at epoch 2; this node's epoch 1 is fenced/);
    assert.equal(keeper.status().role, 'stepped-down');
    assert.match(keeper.leaseProblem()!, /node node-a lost the leader lease \(epoch 1\)/);
  } finally {
    await keeper?.stop({ release: false });
    await a.close();
    await b.close();
    await admin2(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});

test('a node whose own clock says its lease may have run out refuses to act before the database is asked', async () => {
  const schema = `keel_keeper_${randomBytes(3).toString('hex')}`;
  const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
  const keeper = new LeaseKeeper({ lease: a, epoch: 1, config: { ...config, renewEvery: 60_000, lease: 120_000 }, onLost: () => {}, onStandbyLag: () => {}, log: () => {} });
  try {
    await a.acquire(120_000);
    keeper.start(performance.now() - 70_000); // as if the process had been paused for 70 s since acquiring
    assert.match(keeper.leaseProblem()!, /^node node-a's lease \(epoch 1\) may have expired \d+ ms ago \(not renewed in time: paused or cut off\)$/);
  } finally {
    await keeper.stop({ release: true });
    await a.close();
    await admin2(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});

async function admin2(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
