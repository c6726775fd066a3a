import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { keelAsync, ORCL, ROOT, spawnKeel } from '../helpers/cli.ts';
import { logLines, PG_URL } from '../helpers/failover-rig.ts';
import { until } from '../helpers/wait.ts';

/**
 * The README's "Failover and disaster recovery" section as a person runs it: the local Alpaca venue, two
 * `keel paper --config examples/keel-ha.yaml` nodes (the example pointed at this machine's test database, a
 * schema of its own, free ports and a quick backup schedule), `kill -9` of the active, the standby trading on,
 * then `keel drill` printing RTO and RPO.
 */
test('README failover: two nodes on one PostgreSQL, kill -9 of the active, the standby trades on; keel drill prints RTO and RPO', { timeout: 150_000 }, async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Failover and disaster recovery');
  assert.ok(start >= 0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  for (const cmd of ['npx keel paper --config examples/keel-ha.yaml --role active', 'npx keel paper --config examples/keel-ha.yaml --role standby', 'kill -9', 'npx keel drill --config examples/keel-ha.yaml']) {
    assert.ok(section.includes(cmd), `the README shows ${cmd}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'keel-readme-ha-'));
  const schema = `keel_readme_ha_${randomBytes(3).toString('hex')}`;
  const secret = 'readme-ha-secret-77c1';
  const env = { APCA_API_KEY_ID: 'PKDEMO', APCA_API_SECRET_KEY: secret, KEEL_ALPACA_KEYS: `PKDEMO:${secret}:100000` };
  const venue = spawnKeel(['venue', '--api', 'alpaca', '--data', ORCL, '--speed', '40', '--port', '0'], env);
  const nodes: Array<ReturnType<typeof spawnKeel>> = [];
  try {
    await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue.out()));
    const hostPort = venue.out().trim().split('\n')[0].replace('http://', '');
    const config = readFileSync(resolve(ROOT, 'examples/keel-ha.yaml'), 'utf8')
      .replaceAll('127.0.0.1:7401', hostPort)
      .replace(/^journal: \S+/m, `journal: ${PG_URL}`)
      .replace(/^journalSchema: \S+/m, `journalSchema: ${schema}`)
      .replace(/^backup: .*$/m, 'backup: { every: 1s, to: backups, keep: 3 }')
      .replace(/port: 7070/, 'port: 0');
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, config);
    const active = spawnKeel(['paper', '--config', file, '--role', 'active'], env);
    nodes.push(active);
    await until('the active trading', () => logLines(active.err(), /: filled, /).length >= 1, 60_000);
    const standby = spawnKeel(['paper', '--config', file, '--role', 'standby'], env);
    nodes.push(standby);
    await until('the standby following', () => /standby: node \S+ is active at epoch 1/.test(standby.err()), 20_000);
    const apiA = /API and dashboard on (http:\/\/\S+)/.exec(logLines(active.err(), /API and dashboard/)[0])![1];
    await until('the standby in /api/status', async () => ((await (await fetch(`${apiA}/api/status`)).json()) as { ha?: { standbys: unknown[] } }).ha?.standbys.length === 1, 10_000);
    await until('a verified backup', () => existsSync(join(dir, 'backups')) && readdirSync(join(dir, 'backups')).some((f) => f.endsWith('.verify.json')), 30_000);

    active.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until('the takeover', () => /verdict:/.test(standby.out()), 20_000);
    const takeoverMs = Date.now() - killedAt;
    assert.ok(takeoverMs < 15_000, `took over after ${takeoverMs} ms`);
    assert.match(standby.err(), /failover: node \S+ took over the lease at epoch 2/);
    assert.match(standby.out(), /verdict: in agreement/);
    const fills = logLines(standby.err(), /: filled, /).length;
    await until('the standby trading on', () => logLines(standby.err(), /: filled, /).length > fills, 60_000);
    standby.child.kill('SIGTERM');
    assert.equal(await standby.exit, 0, standby.err().slice(-2000));

    const drill = await keelAsync(['drill', '--config', file, '--out', join(dir, 'drill')], { env });
    assert.equal(drill.code, 0, drill.stdout + drill.stderr);
    assert.match(drill.stdout, /RTO \d+\.\d\d s to trading again/);
    assert.match(drill.stdout, /RPO \d+ journal event\(s\) after the backup; recovered from the venue: \d+ report\(s\) applied, \d+ order\(s\) adopted/);
    assert.ok(existsSync(join(dir, 'drill', 'drill.html')));
    for (const text of [drill.stdout, drill.stderr, standby.err(), active.err()]) assert.ok(!text.includes(secret), 'the secret is never printed');
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL');
    venue.child.kill('SIGTERM');
    await venue.exit;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
    rmSync(dir, { recursive: true, force: true });
  }
});
