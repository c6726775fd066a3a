import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqliteJournal } from '../../src/store/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { startVenue } from '../helpers/crash-harness.ts';

test('keel paper stops cleanly on SIGTERM: final reconciliation in agreement, engine.stopped and a snapshot journaled', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-sigterm-'));
  const venue = await startVenue(100_000, 20); // a market that would run for half an hour
  try {
    const path = join(dir, 'journal.sqlite');
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'paper', '--strategy', 'sma-cross', '--params', 'fast=2,slow=5',
      '--venue', `127.0.0.1:${venue.port}`, '--journal', path, '--sizing', 'units:100', '--commission-pct', '0.1'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', () => {});
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Let it trade a little: wait for the first fill at the venue.
    const end = Date.now() + 20_000;
    while (venue.stats().fills === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.ok(venue.stats().fills > 0, 'the engine traded before it was stopped');
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, stdout);
    assert.ok(Date.now() - t0 < 5_000, 'it stopped within 5 s');
    assert.match(stdout, /end of session[\s\S]*verdict: in agreement/);
    const j = await openSqliteJournal({ path, readOnly: true });
    try {
      const last = await j.read({ types: ['engine.stopped'] });
      assert.equal(last.length, 1);
      const snap = await j.latestSnapshot();
      assert.ok(snap && snap.seq === (await j.lastSeq()), 'the last snapshot covers the whole journal');
    } finally {
      await j.close();
    }
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
