import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ORCL, ROOT, spawnKeel } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';

const SECRET = 'demo-secret-cli-5d1e';



test('the README flow: keel venue --api alpaca and keel paper --config examples/keel.yaml, orders and fills flowing, as two processes', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-cli-'));
  const venue = spawnKeel(['venue', '--api', 'alpaca', '--data', ORCL, '--speed', '20', '--port', '0', '--until-bar', '400'], { KEEL_ALPACA_KEYS: `PKDEMO:${SECRET}:100000` });
  try {
    await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue.out()));
    const url = venue.out().trim().split('\n')[0];
    // The example config, pointed at this venue's port and a journal in the temp folder.
    const config = readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8')
      .replaceAll('127.0.0.1:7401', url.replace('http://', ''))
      .replace(/^journal: .*$/m, `journal: ${join(dir, 'journal.sqlite')}`)
      .replace(/port: 7070/, 'port: 0'); // a free port: tests run side by side
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, config);
    const paper = spawnKeel(['paper', '--config', file], { APCA_API_KEY_ID: 'PKDEMO', APCA_API_SECRET_KEY: SECRET });
    await until('two fills', () => (paper.err().match(/: filled, /g) ?? []).length >= 2);
    paper.child.kill('SIGTERM');
    const code = await paper.exit;
    assert.equal(code, 0, paper.err());
    assert.match(paper.err(), /paper trading on alpaca paper http:\/\/127\.0\.0\.1:\d+/);
    assert.match(paper.err(), /order sma-cross-1: buy 100 ORCL market, sent/);
    assert.match(paper.err(), /order sma-cross-1: filled, buy 100 ORCL at \d+\.\d+/);
    assert.match(paper.out(), /end of session[\s\S]*verdict: in agreement/);
    assert.match(paper.err(), /API and dashboard on http:\/\/127\.0\.0\.1:\d+ \(no KEEL_API_TOKEN: actions disabled\)/);
    // Not a terminal: structured JSON logs, every line about an order carrying its client order id.
    const lines = paper.err().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; correlationId?: string; level: number });
    const first = lines.filter((l) => l.correlationId === 'sma-cross-1').map((l) => l.msg);
    assert.ok(first.some((m) => /sent/.test(m)) && first.some((m) => /filled/.test(m)), first.join('\n'));
    for (const text of [paper.out(), paper.err(), venue.out(), venue.err()]) assert.ok(!text.includes(SECRET), 'the secret is never printed');
  } finally {
    venue.child.kill('SIGTERM');
    await venue.exit;
    rmSync(dir, { recursive: true, force: true });
  }
});
