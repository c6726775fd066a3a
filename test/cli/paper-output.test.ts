import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ORCL, ROOT, keelAsync } from '../helpers/cli.ts';
import { startVenue } from '../helpers/crash-harness.ts';

/**
 * Issue 12: `keel paper --venue HOST:PORT` printed nothing while it traded and its start-up reconciliation
 * only when it exited. Now the report comes before the first order, orders and fills as they happen, and the
 * log is JSON when piped and readable lines on a terminal.
 */

const PAPER = (port: number, journal: string) => [resolve(ROOT, 'bin/keel.js'), 'paper', '--strategy', 'sma-cross', '--params', 'fast=2,slow=5',
  '--venue', `127.0.0.1:${port}`, '--journal', journal, '--sizing', 'units:100', '--commission-pct', '0.1'];

test('keel paper --venue, piped: the start-up report before the first order, then one JSON line per order event while trading', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-out-'));
  const venue = await startVenue(100_000, 20); // runs far longer than the test
  try {
    const child = spawn(process.execPath, PAPER(venue.port, join(dir, 'journal.sqlite')), { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // While it runs: wait until the venue has filled two orders and the log has said so.
    const end = Date.now() + 30_000;
    const filledLines = () => stderr.split('\n').filter((l) => l.includes('"order.filled"'));
    while ((venue.stats().fills < 2 || filledLines().length < 2) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(child.exitCode, null, 'still trading');
    assert.match(stdout, /^fresh journal\nreconciliation with socket:paper: 0 report\(s\) applied\n[\s\S]*verdict: in agreement\n$/, 'the start-up report, already');
    const lines = stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { msg: string; event?: string; correlationId?: string });
    const first = lines.find((l) => l.event === 'order.submitted')!;
    assert.match(first.msg, /^order sma-cross-1: buy 100 ORCL market, sent$/);
    assert.equal(first.correlationId, 'sma-cross-1');
    assert.ok(lines.some((l) => l.event === 'order.filled' && /^order sma-cross-1: filled, buy 100 ORCL at \d+\.\d+$/.test(l.msg)));
    assert.ok(lines.some((l) => l.event === 'order.accepted' && l.msg === 'order sma-cross-1: accepted'));

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /verdict: in agreement\n[\s\S]*reconciliation with socket:paper: end of session\n[\s\S]*trading state: ACTIVE\n$/, 'the end-of-session report after it');
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel paper --venue on a terminal: readable one-line log entries, not JSON', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-tty-'));
  // A short market: the engine trades it to the end and exits on its own.
  const venue = await startVenue(120, 5);
  try {
    // util-linux's script gives the command a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, ...PAPER(venue.port, join(dir, 'journal.sqlite'))].map((a) => `'${a}'`).join(' ');
    const r = await new Promise<{ code: number | null; out: string }>((res) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.on('exit', (code) => res({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    const lines = r.out.replace(/\r/g, '').split('\n');
    const submitted = lines.find((l) => l.includes('order sma-cross-1: buy 100 ORCL market, sent'));
    assert.ok(submitted, r.out);
    assert.match(submitted, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: order sma-cross-1: buy 100 ORCL market, sent$/);
    assert.ok(!lines.some((l) => l.startsWith('{')), 'no JSON on a terminal');
    assert.ok(lines.indexOf('fresh journal') < lines.indexOf(submitted), 'the report comes first');
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel venue says when its replay is finished', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'venue', '--data', ORCL, '--port', '0', '--bar-ms', '1', '--until-bar', '50'], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    // The replay starts with the first account's hello.
    const end = Date.now() + 20_000;
    while (!/listening \d+/.test(stdout) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const port = Number(/listening (\d+)/.exec(stdout)![1]);
    const { SocketVenue } = await import('../../src/venues/index.ts');
    const session = await SocketVenue.connect('127.0.0.1', port, 'paper');
    session.start();
    while (!stderr.includes('replay finished') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await session.close();
    assert.equal(stderr, 'replay finished: all 50 bars replayed; no more market data will come\n');
  } finally {
    child.kill('SIGTERM');
  }
});

test('keel venue on a port in use: one line naming the port, exit 2', { timeout: 30_000 }, async () => {
  const venue = await startVenue(10, 1000);
  try {
    const r = await keelAsync(['venue', '--data', ORCL, '--port', String(venue.port)]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `keel: --port = ${venue.port}: is already in use (stop the other process, or pick another port; 0 picks a free one)\n`);
  } finally {
    await venue.close();
  }
});
