import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alpacaConfig, KEY, SECRET, startAlpacaVenue } from '../helpers/alpaca-paper.ts';
import { keelAsync, spawnKeel } from '../helpers/cli.ts';
import { logLines } from '../helpers/failover-rig.ts';
import { until } from '../helpers/wait.ts';

/**
 * Scheduled backups while trading (each restored and verified, `X.verify.json`), then `keel drill` against the
 * Alpaca-compatible venue: restore the latest backup to a new place, reconcile, RTO and RPO, drill.json and
 * drill.html. Real processes, a SQLite journal.
 */
test('keel paper with backup: {every, to, keep} backs up and verifies while trading; keel drill restores the latest and prints RTO and RPO', { timeout: 120_000 }, async () => {
  const server = await startAlpacaVenue({ barIntervalMs: 'manual' });
  const stepper = setInterval(() => server.step(1), 40);
  const dir = mkdtempSync(join(tmpdir(), 'keel-drill-'));
  const env = { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET };
  try {
    const venue: Record<string, unknown> = { kind: 'alpaca', paper: true, ...alpacaConfig(server) };
    delete venue.keyId;
    delete venue.secret;
    const config = join(dir, 'keel.yaml');
    writeFileSync(config, stringify({
      account: 'paper', strategy: { name: 'sma-cross', params: { fast: 2, slow: 5 } }, venue, journal: 'run/journal.sqlite', sizing: 'units:100',
      backup: { every: '1s', to: 'backups', keep: 2 },
    }));
    const paper = spawnKeel(['paper', '--config', config], env);
    const sidecars = () => (existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.verify.json')) : []);
    await until('two verified backups', () => sidecars().length >= 2, 40_000);
    const verdict = JSON.parse(readFileSync(join(dir, 'backups', sidecars()[0]), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(verdict).sort(), ['backup', 'fingerprint', 'ok', 'verifiedAt']);
    assert.equal(verdict.ok, true);
    assert.match(String(verdict.backup), /^journal-.*-seq\d+\.sqlite$/);
    assert.match(String(verdict.fingerprint), /^[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(String(verdict.verifiedAt))));
    assert.match(logLines(paper.err(), /^backup: /).join('\n'), /restored and verified, fingerprint [0-9a-f]{16}/);
    // Trading goes on after the last backup: the drill's RPO counts what it lacks.
    await until('retention keeping two', () => readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.sqlite')).length === 2 && sidecars().length === 2, 20_000);
    // Backups go on every second, so the drill is pinned to one taken before the fills it must recover (a
    // backup right after them would leave reconciliation nothing to do).
    const pinned = pinLatestBackup(join(dir, 'backups'), join(dir, 'pinned'));
    const fills = logLines(paper.err(), /: filled, /).length;
    await until('fills after the backups', () => logLines(paper.err(), /: filled, /).length >= fills + 2, 30_000);
    paper.child.kill('SIGTERM');
    assert.equal(await paper.exit, 0, paper.err().slice(-2000));

    const drill = await keelAsync(['drill', '--config', config, '--from', pinned, '--out', join(dir, 'drill')], { env });
    assert.equal(drill.code, 0, drill.stdout + drill.stderr);
    assert.match(drill.stdout, /^DR drill passed: restored journal-.*-seq\d+\.sqlite/m);
    assert.match(drill.stdout, /RTO \d+\.\d\d s to trading again \(restore \d+ ms, connect venue \d+ ms, open journal \d+ ms, replay and reconcile \d+ ms\)/);
    const rpo = /RPO (\d+) journal event\(s\) after the backup; recovered from the venue: (\d+) report\(s\) applied, (\d+) order\(s\) adopted/.exec(drill.stdout);
    assert.ok(rpo, drill.stdout);
    assert.ok(Number(rpo[1]) > 0, 'the live journal went on after the backup');
    assert.ok(Number(rpo[2]) + Number(rpo[3]) > 0, 'reconciliation recovered what the backup lacked from the venue');
    const report = JSON.parse(readFileSync(join(dir, 'drill', 'drill.json'), 'utf8')) as { kind: string; ok: boolean; rtoMs: number; reconciliation: { verdict: string } };
    assert.equal(report.kind, 'keel-dr-drill');
    assert.equal(report.reconciliation.verdict, 'ACTIVE');
    assert.ok(report.rtoMs > 0);
    assert.match(readFileSync(join(dir, 'drill', 'drill.html'), 'utf8'), /<svg[^>]*aria-label="RTO phases">.*replay and reconcile/s);
    assert.ok(existsSync(join(dir, 'drill', 'journal.sqlite')), 'restored to a new place');
    for (const text of [drill.stdout, drill.stderr, readFileSync(join(dir, 'drill', 'drill.json'), 'utf8')]) assert.ok(!text.includes(SECRET));
  } finally {
    clearInterval(stepper);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Copies the newest finished backup (manifest and data) out of reach of retention; retries if pruning wins the race. */
function pinLatestBackup(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const manifests = readdirSync(from).filter((f) => /^journal-.*\.json$/.test(f) && !f.endsWith('.verify.json')).sort();
    const newest = manifests.at(-1);
    try {
      if (newest === undefined) throw new Error('no backup yet');
      const data = newest.replace(/\.json$/, '.sqlite');
      copyFileSync(join(from, data), join(to, data));
      copyFileSync(join(from, newest), join(to, newest));
      return join(to, newest);
    } catch (err) {
      if (attempt >= 20) throw err;
    }
  }
}
