import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { keel, ORCL, ROOT, spawnKeel } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';

/**
 * An audit trail that cannot be written must be loud and must not stop trading (docs/security.md): a paper
 * engine whose audit table starts refusing inserts mid-run still pulls the kill switch and re-arms through
 * the API, logs each unwritten record as an error, raises a critical alert (the API's alerts and a webhook
 * channel on loopback), and records again once the table accepts rows; the trail that remains verifies.
 */
const SECRET = 'demo-secret-audit-fail-51be';
const TOKEN = 'kt_audit_fail_3e9d7a1c';



async function call(url: string, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method, headers: method === 'POST' ? { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } : {},
    body: body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Run SQL on the journal file from outside the engine (waiting for its write lock). */
function sql(file: string, statement: string): void {
  const db = new DatabaseSync(file, { timeout: 10_000 });
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

test('a failing audit write is logged and alerted, trading and the kill switch go on, and the trail resumes intact', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-audit-fail-'));
  const hooks: Array<{ severity: string; title: string; detail: string }> = [];
  const hook = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => { text += d; });
    req.on('end', () => { hooks.push(JSON.parse(text)); res.end('ok'); });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/keel`;
  let paper: ReturnType<typeof spawnKeel> | undefined;
  const venue = spawnKeel(['venue', '--api', 'alpaca', '--data', ORCL, '--speed', '20', '--port', '0', '--until-bar', '3000'], { KEEL_ALPACA_KEYS: `PKDEMO:${SECRET}:100000` });
  try {
    await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue.out()));
    const venueUrl = venue.out().trim().split('\n')[0];
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8')
      .replaceAll('127.0.0.1:7401', venueUrl.replace('http://', ''))
      .replace(/^journal: .*$/m, 'journal: run/journal.sqlite')
      .replace(/^api:[\s\S]*?(?=^alerts:)/m, 'api:\n  port: 0\n')
      .replace(/^alerts:[\s\S]*$/m, `alerts:\n  channels:\n    - { type: webhook, name: hook, url: "${hookUrl}", minSeverity: critical }\n`));
    const journal = join(dir, 'run', 'journal.sqlite');
    const engine = spawnKeel(['paper', '--config', file], { APCA_API_KEY_ID: 'PKDEMO', APCA_API_SECRET_KEY: SECRET, KEEL_API_TOKEN: TOKEN });
    paper = engine;
    await until('the API', () => /API and dashboard on http:\/\/127\.0\.0\.1:\d+/.test(engine.err()));
    const api = /API and dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(engine.err())![1];
    await until('config.load in the trail', () => /audit #1 config\.load by cli:\S+ from cli: ok/.test(engine.err()));

    // The audit table refuses every insert from now on (a full disk, a broken database, a revoked grant).
    sql(journal, "CREATE TRIGGER audit_broken BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'simulated audit failure'); END;");
    const kill = await call(`${api}/api/kill`, 'POST', { flatten: false, reason: 'drill' });
    assert.equal(kill.status, 200, JSON.stringify(kill.body));
    assert.match(kill.body.message, /^HALTED/);
    await until('the loud log line', () => /audit record NOT written: kill by token from ip:127\.0\.0\.1: .*simulated audit failure/.test(engine.err()));
    const alerts = (await call(`${api}/api/alerts`, 'GET')).body as Array<{ severity: string; source: string; title: string; detail: string }>;
    const raised = alerts.find((a) => a.source === 'audit');
    assert.ok(raised, JSON.stringify(alerts));
    assert.equal(raised.severity, 'critical');
    assert.equal(raised.title, 'audit record not written: kill by token');
    assert.match(raised.detail, /simulated audit failure/);
    await until('the alert at the webhook', () => hooks.some((h) => h.title === 'audit record not written: kill by token'));
    assert.equal(hooks.find((h) => h.title === 'audit record not written: kill by token')!.severity, 'critical');

    // The engine goes on: its state is HALTED as asked, and the next action works too.
    assert.equal((await call(`${api}/api/status`, 'GET')).body.tradingState, 'HALTED');
    const rearm = await call(`${api}/api/rearm`, 'POST', { reason: 'drill over' });
    assert.equal(rearm.status, 200, JSON.stringify(rearm.body));
    assert.equal((await call(`${api}/api/status`, 'GET')).body.tradingState, 'ACTIVE');
    await until('the second loud line', () => /audit record NOT written: rearm by token/.test(engine.err()));

    // Once the table takes rows again, the trail goes on from where it stood.
    sql(journal, 'DROP TRIGGER audit_broken;');
    assert.equal((await call(`${api}/api/orders/cancel-all`, 'POST')).status, 200);
    await until('the next record', () => /audit #2 cancel-all by token from ip:127\.0\.0\.1: ok/.test(engine.err()));
    engine.child.kill('SIGTERM');
    assert.equal(await engine.exit, 0, engine.err().slice(-3000));

    const verified = keel(['audit', 'verify', '--journal', journal]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /: 2 records, hash chain intact\n/);
    const records = JSON.parse(keel(['audit', 'export', '--journal', journal, '--format', 'json']).stdout) as Array<{ action: string }>;
    assert.deepEqual(records.map((r) => r.action), ['config.load', 'cancel-all']);
  } finally {
    if (paper && paper.child.exitCode === null) {
      paper.child.kill('SIGKILL');
      await paper.exit;
    }
    venue.child.kill('SIGTERM');
    await venue.exit;
    hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
