import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keel, keelAsync } from '../helpers/cli.ts';
import { runEngine, startVenue } from '../helpers/crash-harness.ts';

test('keel paper, then keel state and keel reconcile on its journal', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-cli-'));
  const venue = await startVenue(120, 2);
  try {
    const journal = join(dir, 'journal.sqlite');
    const run = await runEngine(venue.port, journal);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /end of session[\s\S]*verdict: in agreement/);

    const state = keel(['state', '--journal', journal, '--events', '3']);
    assert.equal(state.code, 0, state.stderr);
    assert.match(state.stdout, /^journal .*journal\.sqlite: \d+ events\npositions:\n/);
    assert.match(state.stdout, /last 3 events( \(recorded market data not shown\))?:\n(  #\d+ .*\n){3}$/);

    const rec = await keelAsync(['reconcile', '--journal', journal, '--venue', `127.0.0.1:${venue.port}`]);
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /^reconciliation with socket:paper: 0 report\(s\) applied\n[\s\S]*verdict: in agreement\n$/);
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal commands: a missing or corrupt journal and an unreachable venue are one clear line, and nothing is overwritten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-cli-'));
  try {
    const missing = keel(['state', '--journal', join(dir, 'nope.sqlite')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^keel: --journal = ".*nope\.sqlite": does not exist\n$/);
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, 'not a database at all');
    const corrupt = keel(['state', '--journal', bad]);
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, /^keel: journal = ".*bad\.sqlite": is not a SQLite journal \(wrong file header\); it was left untouched \(.*restore it from a backup/);
    assert.equal(readFileSync(bad, 'utf8'), 'not a database at all');
    const paper = keel(['paper', '--strategy', 'sma-cross', '--venue', '127.0.0.1:1', '--journal', join(dir, 'j.sqlite')]);
    assert.equal(paper.code, 2);
    assert.match(paper.stderr, /^keel: --venue = "127\.0\.0\.1:1": cannot be reached: .*ECONNREFUSED/);
    assert.equal(paper.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
