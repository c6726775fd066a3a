import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keel } from '../helpers/cli.ts';
import { logLines, orderRequestsSentAfter, startFailoverRig } from '../helpers/failover-rig.ts';
import { describeOutage, outagePlan, runOutageChain } from '../helpers/failover-chain.ts';
import { until } from '../helpers/wait.ts';
import pg from 'pg';
import { PG_URL } from '../helpers/failover-rig.ts';

/**
 * Active/standby with real processes: two `keel paper --config keel.yaml --role ...` against the
 * Alpaca-compatible venue, one real PostgreSQL journal (127.0.0.1:5432, database test). The 30-point sweep
 * is bench/failover.ts; here a seeded handful.
 */

test('SIGSTOP the active: the standby takes over at epoch 2 and trades on; woken up, the old active sends not one order and steps down', { timeout: 120_000 }, async () => {
  const rig = await startFailoverRig({ extra: { api: { port: 0 } } });
  const a = rig.node('active', { KEEL_DEBUG: '1' });
  let b: ReturnType<typeof rig.node> | undefined;
  try {
    await until('the active filling', () => logLines(a.err(), /: filled, /).length >= 2, 40_000);
    b = rig.node('standby', { KEEL_DEBUG: '1' });
    const standby = b;
    await until('the standby following', () => /standby: node \S+ is active at epoch 1; following the journal/.test(standby.err()), 20_000);
    // The active's status names it, its epoch and the standby with its lag.
    const apiA = /API and dashboard on (http:\/\/\S+)/.exec(logLines(a.err(), /API and dashboard/)[0])![1];
    await until('the standby in the status', async () => ((await (await fetch(`${apiA}/api/status`)).json()) as { ha?: { standbys: unknown[] } }).ha?.standbys.length === 1, 10_000);
    const status = await (await fetch(`${apiA}/api/status`)).json() as { ha: { role: string; epoch: number; standbys: Array<{ node: string; lagEvents: number }> } };
    assert.equal(status.ha.role, 'active');
    assert.equal(status.ha.epoch, 1);
    assert.ok(status.ha.standbys[0].lagEvents >= 0 && status.ha.standbys[0].lagEvents < 1000, JSON.stringify(status.ha));
    const postsBefore = logLines(a.err(), /POST \/v2\/orders/).length;
    assert.ok(postsBefore > 0, 'the active sent orders (the log would show them)');

    a.child.kill('SIGSTOP');
    const pausedAt = Date.now();
    await until('the takeover', () => /verdict:/.test(standby.out()), 20_000).catch(async (e: Error) => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      const activity = await c.query(`SELECT pid, application_name, state, wait_event_type, wait_event, pg_blocking_pids(pid) AS blocked_by, left(query, 160) AS query
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).finally(() => c.end());
      throw new Error(`${e.message}\nstandby stderr (tail):\n${standby.err().slice(-6000)}\nstandby stdout (tail):\n${standby.out().slice(-2000)}\nPostgreSQL sessions:\n${activity.rows.map((r) => JSON.stringify(r)).join('\n')}`);
    });
    assert.match(standby.err(), /failover: node \S+ took over the lease at epoch 2 from node \S+ \(epoch 1, last renewed \d+ ms ago\)/);
    assert.match(standby.out(), /verdict: in agreement/);
    const fills = logLines(standby.err(), /: filled, /).length;
    await until('the new active filling', () => logLines(standby.err(), /: filled, /).length >= fills + 2, 40_000);

    const woke = a.err().length;
    a.child.kill('SIGCONT');
    const code = await a.exit;
    const after = a.err().slice(woke);
    assert.equal(code, 3, after);
    assert.deepEqual(orderRequestsSentAfter(a.err(), pausedAt + 1), [], 'not one order request after waking up');
    assert.match(after, /stepping down: node \S+ lost the leader lease \(node \S+ holds the lease at epoch 2; this node's epoch 1 is fenced\); not one more order leaves this node/);
    assert.match(after, /keel: stepped down: node \S+ lost the leader lease at epoch 1/);

    // The new active's API: the failover alert, linking its runbook.
    const apiB = /API and dashboard on (http:\/\/\S+)/.exec(logLines(standby.err(), /API and dashboard/)[0])![1];
    const alerts = await (await fetch(`${apiB}/api/alerts`)).json() as Array<{ source: string; severity: string; title: string; detail: string }>;
    const failover = alerts.find((x) => x.source === 'failover');
    assert.equal(failover?.severity, 'critical');
    assert.match(failover!.title, /took over from \S+ at epoch 2/);
    assert.match(failover!.detail, /runbook: docs\/runbooks\/alerts\.md#failover/);
    const statusB = await (await fetch(`${apiB}/api/status`)).json() as { ha: { epoch: number; role: string } };
    assert.deepEqual([statusB.ha.role, statusB.ha.epoch], ['active', 2]);

    standby.child.kill('SIGTERM');
    assert.equal(await standby.exit, 0, standby.err().slice(-2000));
    const diffs = await rig.differences();
    const submitted = await rig.submitEpochs();
    // On a difference, say which node's order it was and what both logged about it.
    const about = (text: string) => diffs.flatMap((d) => text.split('\n').filter((l) => l.includes(d.split(':')[0]))).join('\n');
    assert.deepEqual(diffs, [], `journal and venue agree; epochs ${diffs.map((d) => `${d.split(':')[0]}@${submitted.get(d.split(':')[0])}`).join(', ')}\nold active:\n${about(a.err())}\nnew active:\n${about(standby.err() + standby.out())}`);
    const epochs = [...submitted.values()];
    assert.ok(epochs.includes(1) && epochs.includes(2), `orders of both epochs: ${epochs.join(',')}`);
  } finally {
    a.child.kill('SIGCONT');
    a.child.kill('SIGKILL');
    b?.child.kill('SIGKILL');
    await rig.close();
  }
});

test('a seeded chain of crashes, kills and pauses: every takeover reconciles, no order lost or duplicated, journal equals venue', { timeout: 240_000 }, async () => {
  const rig = await startFailoverRig();
  try {
    const plan = outagePlan(7, 4);
    const results = await runOutageChain(rig, plan);
    for (const r of results) {
      const what = describeOutage(r.outage);
      assert.ok(r.reconciled, `${what}: the new active's reconciliation agreed with the venue:\n${r.report}`);
      if (r.outage.kind === 'pause') {
        assert.equal(r.ordersAfterWake, 0, `${what}: no order request after waking up`);
        assert.equal(r.wokeExit, 3, `${what}: the old active stepped down`);
      }
    }
    assert.deepEqual(await rig.differences(), []);
    const epochs = new Set((await rig.submitEpochs()).values());
    assert.ok(epochs.size >= 3, `orders written under several epochs: ${[...epochs].join(',')}`);
  } finally {
    await rig.close();
  }
});

test('--role standby on a SQLite journal is refused with one line saying why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ha-sqlite-'));
  try {
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, 'strategy: { name: sma-cross }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: run/journal.sqlite\n');
    const r = keel(['paper', '--config', file, '--role', 'standby']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^keel: --role = "standby": is refused: the journal \S+journal\.sqlite is SQLite, which is single-node .*active\/standby needs a PostgreSQL journal both nodes reach/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
