import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { KeelError } from '../../src/model/index.ts';
import { parseRunConfig } from '../../src/runtime/index.ts';
import { keelAsync } from '../helpers/cli.ts';
import { startVenue } from '../helpers/crash-harness.ts';
import { fakeChronyc } from '../helpers/fake-chronyc.ts';

const base = 'strategy: { name: sma-cross, params: { fast: 3, slow: 8 } }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: j.sqlite\n';

function problem(text: string): string {
  try {
    parseRunConfig(text, 'keel.yaml');
  } catch (e) {
    assert.ok(e instanceof KeelError && /^BAD_(RUN|RISK)_CONFIG$/.test(e.code), String(e));
    return e.message;
  }
  throw new Error('expected a config error');
}

test('a run config is checked whole: each problem is one line with file, line, key and value', () => {
  const ok = parseRunConfig(`${base}risk:\n  account:\n    maxOrderNotional: 5000\n`, 'keel.yaml');
  assert.equal(ok.account, 'paper');
  assert.equal(ok.snapshotEvery, 100_000);
  assert.equal(ok.external, 'flag');
  assert.equal(ok.risk?.account.maxOrderNotional, 5_000_000_000_000_000n);
  assert.equal(ok.riskText, 'account:\n  maxOrderNotional: 5000');
  assert.equal(problem(base.replace('kind: sim', 'kind: ftx')), 'keel.yaml line 2: venue.kind = "ftx": must be sim, alpaca, ccxt, fix or ib');
  assert.equal(problem(`${base}snapshotEvery: -3\n`), 'keel.yaml line 4: snapshotEvery = -3: must be 0 or more');
  assert.equal(problem(`${base}externl: adopt\n`), 'keel.yaml line 4: externl = "adopt": is not a known key (did you mean external?)');
  assert.equal(problem(base.replace('journal: j.sqlite\n', '')), 'keel.yaml line 1: journal: is required: a SQLite file path or a postgres:// URL');
  assert.equal(problem(`${base}risk:\n  account:\n    maxOrderNotional: -5\n`), 'keel.yaml line 6: risk.account.maxOrderNotional = -5: must be an amount of 0 or more');
  assert.equal(problem(`${base}data:\n  validation:\n    maxAgeMs: -1\n`), 'keel.yaml line 6: data.validation.maxAgeMs = -1: must be positive');
  assert.equal(problem(`${base}data:\n  bars: { interval: 7m }\n`).split(':').slice(0, 2).join(':'), 'keel.yaml line 5: data.bars.interval = "7m"');
  assert.equal(problem(`${base}live: { acount: X }\n`), 'keel.yaml line 4: live.acount = "X": is not a known key (did you mean account?)');
});

test('shutdown, API readiness and alert rule settings: defaults, values and one-line errors', () => {
  const d = parseRunConfig(`${base}api: { port: 0 }\nalerts: { rules: { drawdownPct: 5 } }\n`, 'keel.yaml');
  assert.deepEqual(d.shutdown, { cancelWorkingOrders: false, timeoutMs: 10_000 });
  assert.deepEqual(d.api?.readiness, { maxDataAgeMs: 60_000 });
  assert.equal(d.alerts?.rules.windowMs, 300_000);
  assert.equal(d.alerts?.rules.minOrders, 5);
  const c = parseRunConfig(`${base}api: { readiness: { maxDataAgeMs: 90000000 } }\nshutdown: { cancelWorkingOrders: true, timeoutMs: 3000 }\n`
    + 'alerts:\n  expectedPath: out/result.json\n  rules: { pnlDeviationPct: 2, ackLatencyMs: 250, marketToOrderMicros: 200, denialRatePct: 30, eventLoopLagMs: 50 }\n', 'keel.yaml');
  assert.deepEqual(c.shutdown, { cancelWorkingOrders: true, timeoutMs: 3000 });
  assert.equal(c.api?.readiness.maxDataAgeMs, 90_000_000);
  assert.equal(c.alerts?.expectedPath, 'out/result.json');
  assert.equal(c.alerts?.rules.pnlDeviationPct, 2);
  assert.equal(problem(`${base}shutdown: { cancelWorkingOrders: yes please }\n`), 'keel.yaml line 4: shutdown.cancelWorkingOrders = "yes please": must be true or false');
  assert.equal(problem(`${base}shutdown: { timeoutMs: -1 }\n`), 'keel.yaml line 4: shutdown.timeoutMs = -1: must be 0 or more');
  assert.equal(problem(`${base}api: { readiness: { maxDataAgeMs: 0 } }\n`), 'keel.yaml line 4: api.readiness.maxDataAgeMs = 0: must be 1 ms or more');
  assert.equal(problem(`${base}alerts: { rules: { pnlDeviationPct: -1 } }\n`), 'keel.yaml line 4: alerts.rules.pnlDeviationPct = -1: must be above 0');
  assert.equal(problem(`${base}alerts: { rules: { latencyMs: 5 } }\n`).split(' (did')[0], 'keel.yaml line 4: alerts.rules.latencyMs = 5: is not a known key');
});

test('keel paper: an unreadable expected path is one line, before anything connects', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-expected-'));
  try {
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, `${base}alerts: { expectedPath: missing.json, rules: { pnlDeviationPct: 2 } }\n`);
    const r = await keelAsync(['paper', '--config', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^keel: .*keel\.yaml: alerts\.expectedPath = ".*missing\.json": cannot be read as JSON: ENOENT\n$/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ equityCurve: { time: ['2024-01-02T00:00:00Z'], equity: ['x'] } }));
    writeFileSync(file, `${base}alerts: { expectedPath: bad.json }\n`);
    const bad = await keelAsync(['paper', '--config', file]);
    assert.match(bad.stderr, /^keel: .*alerts\.expectedPath = ".*bad\.json": equityCurve\.equity\[0\] is not a number: "x"\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel live refuses without a confirmed account, without risk limits and on anything but a live venue; keel paper runs the config', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-run-config-'));
  const venue = await startVenue(120, 2);
  const clock = fakeChronyc('chronyc-tracking-synced.txt');
  try {
    const file = join(dir, 'keel.yaml');
    const write = (extra: string) => writeFileSync(file, base.replace('127.0.0.1:1', `127.0.0.1:${venue.port}`) + extra);
    const live = (...args: string[]) => keelAsync(['live', '--config', file, ...args]);

    write('');
    let r = await live('--confirm-account', 'ACC-1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keel: .*keel\.yaml: live\.account: is missing: live trading needs the venue account confirmed in the file/);
    write('live: { account: ACC-1 }\n');
    r = await live();
    assert.match(r.stderr, /^keel: --confirm-account: is required: repeat the live account id on the command line/);
    r = await live('--confirm-account', 'ACC-2');
    assert.match(r.stderr, /^keel: --confirm-account = "ACC-2": does not match live\.account in .*keel\.yaml \("ACC-1"\); nothing was started\n$/);
    r = await live('--confirm-account', 'ACC-1');
    assert.match(r.stderr, /^keel: .*keel\.yaml: risk: is missing: keel live refuses to trade without risk limits/);
    write('live: { account: ACC-1 }\nrisk: { account: { maxOrderNotional: 5000 } }\n');
    // The preflight checklist comes next (test/cli/preflight.test.ts): overridden here, with a clock in sync.
    r = await keelAsync(['live', '--config', file, '--confirm-account', 'ACC-1', '--override-preflight', 'sim venue test'], { env: clock.env });
    assert.match(r.stderr, /^keel: .*keel\.yaml: venue: is sim 127\.0\.0\.1:\d+: keel live trades only on a live venue/);
    for (const out of [r.stdout, r.stderr]) assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
    assert.equal(venue.stats().orders, 0, 'nothing was sent');

    // The data section puts the live data path (validation, failover) between the venue and the strategy.
    write('sizing: units:100\ncommissionPct: 0.1\ndata:\n  validation: { spike: { maxJumpPct: 60, minJumpPct: 60 } }\n');
    const paper = await keelAsync(['paper', '--config', file]);
    assert.equal(paper.code, 0, paper.stderr);
    assert.match(paper.stderr, /paper trading on sim 127\.0\.0\.1:\d+/);
    assert.match(paper.stdout, /end of session[\s\S]*verdict: in agreement/);
    assert.ok(venue.stats().fills > 0, 'the configured strategy traded');

    // The API's port is taken: one line, a non-zero exit, no stack trace.
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    write(`sizing: units:100\napi: { port: ${(blocker.address() as { port: number }).port} }\n`);
    const taken = await keelAsync(['paper', '--config', file]);
    blocker.close();
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /keel: .*keel\.yaml: api\.port = \d+: cannot be served: listen EADDRINUSE[^\n]*; the engine stopped\n$/);
    assert.doesNotMatch(taken.stderr, /\n\s+at /);
  } finally {
    await venue.close();
    clock.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
