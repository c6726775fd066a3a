import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ORCL, ROOT, keel, spawnKeel } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';
import { openSqliteJournal } from '../../src/store/index.ts';
import type { StrategyIdentityEvent } from '../../src/model/index.ts';

const SECRET = 'versions-secret-77aa';
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

test('keel versions: two runs of sma-cross with different parameters, each journaled with its identity, its version id on every intent, report and fill', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-versions-'));
  const venue = spawnKeel(['venue', '--api', 'alpaca', '--data', ORCL, '--speed', '20', '--port', '0'], { KEEL_ALPACA_KEYS: `PKVER:${SECRET}:100000` });
  const journalPath = join(dir, 'journal.sqlite');
  try {
    await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue.out()));
    const url = venue.out().trim().split('\n')[0];
    const configFor = (fast: number, slow: number) => {
      const text = readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8')
        .replaceAll('127.0.0.1:7401', url.replace('http://', ''))
        .replace(/^journal: .*$/m, `journal: ${journalPath}`)
        .replace(/params: \{ fast: 3, slow: 8 \}/, `params: { fast: ${fast}, slow: ${slow} }`)
        .replace(/^api:[\s\S]*?(?=^alerts:)/m, '');
      const file = join(dir, `keel-${fast}-${slow}.yaml`);
      writeFileSync(file, text);
      return file;
    };
    const run = async (file: string) => {
      const paper = spawnKeel(['paper', '--config', file], { APCA_API_KEY_ID: 'PKVER', APCA_API_SECRET_KEY: SECRET });
      await until('a fill', () => /: filled, /.test(paper.err()), 60_000);
      paper.child.kill('SIGTERM');
      assert.equal(await paper.exit, 0, paper.err());
    };
    const first = configFor(2, 5);
    const second = configFor(3, 8);
    await run(first);
    await run(second);

    const table = keel(['versions', '--journal', journalPath]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0], /^started\s+account\s+strategy\s+role\s+version\s+code\s+git\s+params/);
    assert.equal(lines.length, 3, table.stdout);
    assert.match(lines[1], /paper\s+sma-cross\s+live\s+[0-9a-f]{12}\s+[0-9a-f]{12}\s+\S+\s+\{"fast":2,"slow":5,/);
    assert.match(lines[2], /\{"fast":3,"slow":8,/);

    const json = keel(['versions', '--journal', journalPath, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const runs = JSON.parse(json.stdout) as Array<{ identity: StrategyIdentityEvent['identity']; orders: number; fills: number; role: string; startedAt: number }>;
    assert.equal(runs.length, 2);
    const code = sha(readFileSync(resolve(ROOT, 'src/strategy/examples/sma-cross.ts')));
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const [i, file] of [first, second].entries()) {
      const id = runs[i].identity;
      assert.equal(id.codeHash, code);
      assert.equal(id.configHash, sha(readFileSync(file)));
      assert.equal(id.keelVersion, pkg.version);
      assert.equal(id.strategyId, 'sma-cross');
      assert.equal(id.git?.commit, head);
      assert.equal(typeof id.git?.dirty, 'boolean');
      assert.ok(runs[i].orders >= 1 && runs[i].fills >= 1, JSON.stringify(runs[i]));
    }
    assert.deepEqual(runs.map((r) => [r.identity.params.fast, r.identity.params.slow]), [[2, 5], [3, 8]]);
    assert.notEqual(runs[0].identity.versionId, runs[1].identity.versionId);
    assert.ok(runs[0].startedAt <= runs[1].startedAt);

    // Every order event of the strategy carries the version id of the run that produced it.
    const journal = await openSqliteJournal({ path: journalPath, readOnly: true });
    try {
      const events = await journal.read();
      const identities = events.filter((e) => e.type === 'strategy.identity');
      assert.equal(identities.length, 2);
      let runIndex = -1;
      let orderEvents = 0;
      for (const e of events) {
        if (e.type === 'strategy.identity') { runIndex++; continue; }
        if (!e.type.startsWith('order.') || e.stream.strategy !== 'sma-cross') continue;
        orderEvents++;
        assert.equal(e.version, runs[runIndex].identity.versionId, `#${e.seq} ${e.type}`);
      }
      assert.ok(orderEvents >= 6, `${orderEvents} order events`);
      assert.ok(events.some((e) => e.type === 'order.filled' && e.version === runs[1].identity.versionId));
    } finally {
      await journal.close();
    }
    assert.ok(!table.stdout.includes(SECRET) && !json.stdout.includes(SECRET));
  } finally {
    venue.child.kill('SIGTERM');
    await venue.exit;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel versions: a missing journal is one line naming --journal', () => {
  const r = keel(['versions', '--journal', '/nonexistent/j.sqlite']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--journal/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});
