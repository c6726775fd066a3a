import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, keelAsync, spawnKeel, type KeelProcess } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';
import { openSqliteJournal } from '../../src/store/index.ts';

/**
 * The README's "Versions and staged rollout" walkthrough, its commands taken from the README itself and run as
 * a user would (real processes, real sockets): the local Alpaca venue, v1 trading through keel paper, v2
 * deployed as shadow, promoted to canary, rolled back, then keel versions. Ports are made free ones and the
 * journal goes to a temp folder; everything else is as written.
 */

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Versions and staged rollout');
  assert.ok(start >= 0, 'README has the section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

function commands(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
}

interface Status { stage: string; shadow: { decisions: number; agreed: number } | null; canary: { lots: number } | null; candidate: { versionId: string } | null; live: { versionId: string } }

test('the README rollout walkthrough: v1 trading, v2 shadow (zero orders at the venue), canary at a quarter of the size, rollback flattening it', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-readme-rollout-'));
  const lines = commands(section());
  const env: NodeJS.ProcessEnv = {};
  const token = 'readme-rollout-token-3c9d';
  let venue: KeelProcess | undefined;
  let paper: KeelProcess | undefined;
  let venueUrl = '';
  let apiUrl = '';
  const journalPath = join(dir, 'rollout-journal.sqlite');
  let venueOrdersSeen: Array<{ client_order_id: string; qty: string; side: string }> | undefined;
  const venueOrders = async () => {
    const res = await fetch(`${venueUrl}/v2/orders?status=all&limit=500`, { headers: { 'APCA-API-KEY-ID': 'PKDEMO', 'APCA-API-SECRET-KEY': 'demo-secret' } });
    assert.equal(res.status, 200);
    venueOrdersSeen = (await res.json()) as Array<{ client_order_id: string; qty: string; side: string }>;
    return venueOrdersSeen;
  };
  // Polled straight from the API (a keel process per poll would load the machine); the README's own status lines run as keel.
  const status = async (): Promise<Status> => {
    await new Promise((r) => setTimeout(r, 200));
    return (await (await fetch(`${apiUrl}/api/rollout`)).json()) as Status;
  };
  try {
    for (const line of lines) {
      const exported = /^export (.*)$/.exec(line);
      if (exported) {
        for (const [, k, v] of exported[1].matchAll(/(\w+)=(\S+)/g)) env[k] = v.startsWith('$(') ? token : v;
        continue;
      }
      if (line.startsWith('kill %2')) {
        paper!.child.kill('SIGTERM');
        assert.equal(await paper!.exit, 0, paper!.err());
        continue;
      }
      if (line.startsWith('kill %1')) continue; // in finally
      assert.match(line, /^npx keel /, line);
      const args = line.replace(/^npx keel /, '').replace(/ &$/, '').split(/\s+/);
      if (args[0] === 'venue') {
        args[args.indexOf('--port') + 1] = '0';
        venue = spawnKeel(args, env, { cwd: ROOT });
        await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue!.out()));
        venueUrl = venue.out().trim().split('\n')[0];
        continue;
      }
      if (args[0] === 'paper') {
        const config = readFileSync(resolve(ROOT, args[2]), 'utf8')
          .replaceAll('127.0.0.1:7401', venueUrl.replace('http://', ''))
          .replace(/^journal: .*$/m, `journal: ${journalPath}`)
          .replace(/port: 7072/, 'port: 0');
        const file = join(dir, 'keel-rollout.yaml');
        writeFileSync(file, config);
        paper = spawnKeel(['paper', '--config', file], env, { cwd: ROOT });
        await until('the API', () => /API and dashboard on (http:\/\/127\.0\.0\.1:\d+)/.test(paper!.err()));
        apiUrl = /API and dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(paper.err())![1];
        await until('v1 trading', () => /order sma-cross-1: filled/.test(paper!.err()), 60_000);
        continue;
      }
      const a = args.map((x) => (x === 'http://127.0.0.1:7072' ? apiUrl : x === 'run/rollout-journal.sqlite' ? journalPath : x));
      if (a[0] === 'deploy' && a[1] === 'status') {
        const s = await status();
        if (s.stage === 'shadow') await until('shadow decisions', async () => ((await status()).shadow?.decisions ?? 0) >= 2, 90_000);
        if (s.stage === 'canary') await until('a canary position', async () => ((await status()).canary?.lots ?? 0) !== 0, 90_000);
      }
      const r = await keelAsync(a, { env });
      assert.equal(r.code, 0, `${line}\n${r.stdout}\n${r.stderr}`);
      if (a[1] === 'shadow') {
        assert.match(r.stdout, /^idle -> shadow: version [0-9a-f]{12} \(live [0-9a-f]{12}\)/);
        // Without the token, or with a wrong one: refused, one line, nothing changes.
        const none = await keelAsync(['deploy', 'promote', '--api', apiUrl], { env: { ...env, KEEL_API_TOKEN: '' } });
        assert.equal(none.code, 2);
        assert.match(none.stderr, /KEEL_API_TOKEN/);
        const wrong = await keelAsync(['deploy', 'promote', '--api', apiUrl], { env: { ...env, KEEL_API_TOKEN: 'not-the-token' } });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /refused \(401\)/);
        assert.equal((await status()).stage, 'shadow');
      }
      if (a[1] === 'status') assert.match(r.stdout, /^stage: (shadow|canary)/);
      if (a[1] === 'promote') {
        assert.match(r.stdout, /^shadow -> canary/);
        // The shadow ran for a while: the venue saw none of its orders, the journal has them as shadow.order.
        assert.equal((await venueOrders()).filter((o) => o.client_order_id.includes('shadow')).length, 0);
      }
      if (a[1] === 'rollback') {
        // Flattened by a reduce-only order, unless the live version's exit (it sees the whole position) sold those
        // shares first, or the canary's own exit came between the status line and the rollback (bars run on their
        // own here; rollout-engine.test.ts steps them by hand and checks the flatten order every time).
        const m = /^canary -> rolled-back: .*canary position (?:25 lots (flattened by (sma-cross-canary-\d+)|not flattened: the account no longer holds it on that side)|0 lots flat already)/.exec(r.stdout);
        assert.ok(m, r.stdout);
        if (m[2] !== undefined) {
          await until('the canary flattened at the venue', async () => (await venueOrders()).some((o) => o.client_order_id === m[2] && o.side === 'sell' && o.qty === '25'), 30_000)
            .catch((err: Error) => { throw new Error(`${err.message}\nvenue orders: ${JSON.stringify((venueOrdersSeen ?? []).slice(-6))}\nkeel paper:\n${paper!.err().slice(-4000)}`); });
        }
      }
      if (a[0] === 'versions') {
        const rows = r.stdout.trim().split('\n').slice(1);
        assert.deepEqual(rows.map((l) => l.split(/\s+/)[3]), ['live', 'shadow', 'canary'], r.stdout);
        assert.match(rows[1], /sma-cross-shadow/);
        assert.match(rows[2], /sma-cross-canary/);
      }
    }
    const orders = await venueOrders();
    assert.equal(orders.filter((o) => o.client_order_id.includes('shadow')).length, 0, 'the venue never saw a shadow order');
    const canary = orders.filter((o) => o.client_order_id.startsWith('sma-cross-canary-'));
    assert.ok(canary.length >= 1 && canary.every((o) => o.qty === '25'), JSON.stringify(canary));
    assert.ok(orders.some((o) => /^sma-cross-\d+$/.test(o.client_order_id) && o.qty === '100'));

    const journal = await openSqliteJournal({ path: journalPath, readOnly: true });
    try {
      const events = await journal.read();
      const shadowOrders = events.filter((e) => e.type === 'shadow.order');
      assert.ok(shadowOrders.length >= 2, 'shadow orders journaled');
      assert.ok(!events.some((e) => e.type.startsWith('order.') && e.stream.strategy === 'sma-cross-shadow'), 'no shadow order is an order of the account');
      const identities = events.filter((e) => e.type === 'strategy.identity').map((e) => e.payload as { role: string; identity: { versionId: string } });
      const v2 = identities[1].identity.versionId;
      assert.ok(shadowOrders.every((e) => e.version === v2));
      assert.ok(events.filter((e) => e.type.startsWith('order.') && e.stream.strategy === 'sma-cross-canary').every((e) => e.version === v2));
      const stages = events.filter((e) => e.type === 'rollout.stage-changed').map((e) => e.payload as { from: string; to: string; by: string });
      assert.deepEqual(stages.map((s) => `${s.from}->${s.to}`), ['idle->shadow', 'shadow->canary', 'canary->rolled-back']);
      assert.ok(stages.every((s) => /^api:127\.0\.0\.1$/.test(s.by)), JSON.stringify(stages));
      assert.ok(events.some((e) => e.type === 'shadow.decision'));
      const audit = (await journal.readAudit()).filter((row) => String(row.action).startsWith('rollout.'));
      assert.deepEqual(audit.map((row) => row.action), ['rollout.shadow', 'rollout.promote', 'rollout.rollback']);
    } finally {
      await journal.close();
    }
    for (const text of [paper!.out(), paper!.err()]) assert.ok(!text.includes(token) && !text.includes('demo-secret'));
  } finally {
    if (paper && paper.child.exitCode === null) { paper.child.kill('SIGTERM'); await paper.exit; }
    if (venue) { venue.child.kill('SIGTERM'); await venue.exit; }
    rmSync(dir, { recursive: true, force: true });
  }
});
