import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keel, ORCL, ROOT } from '../helpers/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'keel-risk-cli-'));

test('--risk: a missing file and a bad value are one line naming the file, line, key and value', () => {
  const dir = tmp();
  try {
    const missing = keel(['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--risk', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^keel: --risk = .*nope\.yaml": cannot be read: ENOENT\n$/);
    const bad = join(dir, 'risk.yaml');
    writeFileSync(bad, 'account:\n  maxOrderNotional: 50000\nbreakers:\n  dailyLoss:\n    maxLossPct: -2\n');
    const r = keel(['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--risk', bad]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /risk\.yaml line 5: breakers\.dailyLoss\.maxLossPct = -2: must be a percent above 0 and at most 100/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--risk examples/risk.yaml: the result, the summary and the report show the denials', () => {
  const dir = tmp();
  try {
    const out = join(dir, 'result.json');
    const report = join(dir, 'report.html');
    const r = keel(['backtest', '--strategy', 'sma-cross', '--params', 'fast=10,slow=30', '--data', ORCL, '--risk', 'examples/risk.yaml', '--out', out, '--report', report]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(result.risk.config, 'examples/risk.yaml');
    assert.equal(result.config.risk, 'examples/risk.yaml');
    assert.ok(result.risk.denialsTotal > 0, 'all-in entries of 100,000 are over the 50,000 order limit');
    assert.equal(result.metrics.denials, result.risk.denialsTotal);
    assert.equal(result.orders.denied, result.risk.denialsTotal);
    assert.match(r.stdout, /^risk +\d+ denials \(order-size \d+\)/m);
    assert.match(readFileSync(report, 'utf8'), /Order value [\d.]+ USD is above/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel kill stops a running backtest; the halt survives the next start until keel rearm', async () => {
  const dir = tmp();
  const control = join(dir, 'control');
  try {
    const out = join(dir, 'result.json');
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'backtest', '--strategy', 'test/fixtures/slow-buyer.ts', '--data', ORCL,
      '--sizing', 'units:10', '--control', control, '--out', out, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number>((res) => child.on('exit', (code) => res(code ?? -1)));
    for (let i = 0; i < 200 && !existsSync(join(control, 'engine.json')); i++) await sleep(50);
    assert.ok(existsSync(join(control, 'engine.json')), `engine registered (${stderr})`);
    await sleep(300);
    const kill = keel(['kill', '--control', control, '--flatten', '--by', 'alice', '--reason', 'test kill', '--timeout', '20s']);
    assert.equal(kill.code, 0, kill.stderr);
    assert.match(kill.stdout, /kill switch pulled on engine pid \d+ \(backtest slow-buyer on ORCL\) by operator alice: test kill/);
    assert.match(kill.stdout, /flattened: 1 market order sent/);
    assert.equal(await exited, 0, stderr);
    assert.equal(existsSync(join(control, 'engine.json')), false, 'the engine unregistered');

    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(result.risk.finalState, 'HALTED');
    assert.equal(result.risk.killSwitch.length, 1);
    assert.equal(result.risk.killSwitch[0].by, 'operator alice');
    const killTime = result.risk.killSwitch[0].time;
    assert.ok(killTime > result.data.firstTime && killTime < result.data.lastTime, 'the kill landed mid-run');
    assert.ok(result.risk.denialsTotal > 0 && result.risk.denialsByCheck['trading-state'] === result.risk.denialsTotal, 'every order after the kill was denied');
    assert.ok(result.fills.every((f: { time: string; tag: string | null }) => f.time <= killTime || f.tag === 'kill-switch'), 'after the kill only the flatten order filled');
    assert.deepEqual(result.openPositions, []);

    // Restart with the same control directory: comes up HALTED, trades nothing.
    const again = keel(['backtest', '--strategy', 'buy-and-hold', '--data', ORCL, '--control', control, '--out', out, '--quiet']);
    assert.equal(again.code, 0, again.stderr);
    const halted = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(halted.risk.stateChanges[0].to, 'HALTED');
    assert.match(halted.risk.stateChanges[0].by, /^restart/);
    assert.equal(halted.fills.length, 0);

    const rearm = keel(['rearm', '--control', control, '--by', 'alice', '--reason', 'reviewed']);
    assert.equal(rearm.code, 0, rearm.stderr);
    const fresh = keel(['backtest', '--strategy', 'buy-and-hold', '--data', ORCL, '--control', control, '--out', out, '--quiet']);
    assert.equal(fresh.code, 0, fresh.stderr);
    const active = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(active.risk.finalState, 'ACTIVE');
    assert.equal(active.fills.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
