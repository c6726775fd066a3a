import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keelAsync, ORCL } from '../helpers/cli.ts';

const base = ['optimize', '--strategy', 'sma-cross', '--data', ORCL, '--commission-pct', '0.1'];
const dir = mkdtempSync(join(tmpdir(), 'keel-optimize-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const BAD: Array<[string, string[], string]> = [
  ['empty range', ['--grid', 'fast=50..5:5'], 'keel: --grid fast = "50..5:5": is an empty range (50 is above 5) (write it low..high, e.g. 5..50)\n'],
  ['step 0', ['--grid', 'fast=5..50:0'], 'keel: --grid fast = "5..50:0": has step 0; the step must be positive\n'],
  ['unknown parameter', ['--grid', 'fsat=5..50:5'], 'keel: --grid fsat = "5..50:5": is not a parameter of sma-cross (known: fast, slow, short, ties)\n'],
  ['constraint excludes everything', ['--grid', 'fast=50..60,slow=10..20', '--constraint', 'fast<slow'], 'keel: --constraint = "fast<slow": excludes every point of the grid fast=50..60,slow=10..20 (widen the ranges or loosen the constraint)\n'],
  ['constraint does not parse', ['--grid', 'fast=5..10', '--constraint', 'fast <> slow'], 'keel: --constraint = "fast <> slow": cannot be parsed: unexpected ">" (e.g. "fast < slow")\n'],
  ['bad objective', ['--grid', 'fast=5..10', '--objective', 'sharp'], 'keel: --objective = "sharp": is not an objective (use sharpe, sortino, calmar, return, cagr or a .ts file exporting (metrics, params) => number)\n'],
  ['odd blocks', ['--grid', 'fast=5..10', '--blocks', '7'], 'keel: --blocks = "7": must be even (CSCV splits the blocks in halves)\n'],
  ['no grid', [], 'keel: --grid: is required (e.g. --grid fast=5..50:5,slow=20..200:10)\n'],
];

test('bad optimisation input is one clear line and exit 2, before any trial runs', async () => {
  const results = await Promise.all(BAD.map(async ([label, args, expected]) => ({ label, expected, out: await keelAsync([...base, ...args]) })));
  for (const r of results) {
    assert.equal(r.out.code, 2, r.label);
    assert.equal(r.out.stderr, r.expected, r.label);
  }
});

test('Redis down: one line naming the URL, never its password', async () => {
  const out = await keelAsync([...base, '--grid', 'fast=5..10,slow=20', '--queue', 'redis://trader:hunter2@127.0.0.1:1/0']);
  assert.equal(out.code, 2);
  assert.equal(out.stderr, 'keel: --queue = "redis://trader:***@127.0.0.1:1/0": cannot be reached (ECONNREFUSED) (is Redis running there? start it, or check the URL)\n');
  assert.ok(!out.stdout.includes('hunter2') && !out.stderr.includes('hunter2'));
  const worker = await keelAsync(['worker', '--queue', 'redis://:hunter2@127.0.0.1:1']);
  assert.equal(worker.code, 2);
  assert.ok(!worker.stderr.includes('hunter2'));
  assert.match(worker.stderr, /^keel: --queue = "redis:\/\/:\*\*\*@127\.0\.0\.1:1": cannot be reached/);
});

test('a grid sweep writes its table, diagnostics and report; 1 and 2 workers write the same bytes', async () => {
  const grid = ['--grid', 'fast=5..30:5,slow=40..120:20', '--constraint', 'fast<slow', '--top', '3'];
  const [one, two] = await Promise.all([
    keelAsync([...base, ...grid, '--workers', '1', '--out', join(dir, 'w1')]),
    keelAsync([...base, ...grid, '--workers', '2', '--out', join(dir, 'w2')]),
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  for (const f of ['trials.csv', 'trials.json', 'diagnostics.json', 'report.html']) {
    assert.equal(readFileSync(join(dir, 'w1', f), 'utf8'), readFileSync(join(dir, 'w2', f), 'utf8'), f);
  }
  const csv = readFileSync(join(dir, 'w1', 'trials.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'trial,fast,slow,objective,sharpe,sortino,calmar,total_return,cagr,max_drawdown,trades,win_rate,profit_factor,exposure,end_equity,error');
  assert.equal(csv.length, 1 + 30);
  assert.match(one.stdout, /grid of 30 points over fast=5\.\.30:5,slow=40\.\.120:20, objective sharpe; 1 worker thread/);
  assert.match(one.stdout, /^deflated Sharpe 0\.\d+ \(SR0 [\d.]+ per bar from 30 trials/m);
  assert.match(one.stdout, /^probability of backtest overfitting \d+\.\d% \(CSCV, 16 blocks, 12,870 splits\)/m);
  const d = JSON.parse(readFileSync(join(dir, 'w1', 'diagnostics.json'), 'utf8'));
  assert.equal(d.trialsRun, 30);
  assert.ok(d.deflatedSharpe.deflatedSharpe > 0 && d.deflatedSharpe.deflatedSharpe < 1);
  const html = readFileSync(join(dir, 'w1', 'report.html'), 'utf8');
  assert.match(html, /aria-label="objective heatmap"/);
  assert.match(html, /window\.LightweightCharts|LightweightCharts/);
  assert.doesNotMatch(html, /<script[^>]+src=/, 'self-contained');
  assert.equal(JSON.parse(/<script type="application\/json" id="keel-report-data">(.*?)<\/script>/s.exec(html)![1]).curves.length, 3);
});

test('TPE with a seed is repeatable; three parameters get parallel coordinates; a custom objective file', async () => {
  const args = [...base, '--grid', 'fast=5..40:5,slow=40..200:20,short=true|false', '--constraint', 'fast<slow', '--search', 'tpe', '--trials', '24', '--seed', '7', '--workers', '2'];
  const [a, b] = await Promise.all([keelAsync([...args, '--out', join(dir, 'tpe-a')]), keelAsync([...args, '--out', join(dir, 'tpe-b')])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(readFileSync(join(dir, 'tpe-a', 'trials.csv'), 'utf8'), readFileSync(join(dir, 'tpe-b', 'trials.csv'), 'utf8'));
  assert.match(readFileSync(join(dir, 'tpe-a', 'report.html'), 'utf8'), /aria-label="parallel coordinates"/);
  const custom = await keelAsync([...base, '--grid', 'fast=10..20:10,slow=50', '--objective', 'test/fixtures/return-over-drawdown.ts', '--out', join(dir, 'custom')]);
  assert.equal(custom.code, 0, custom.stderr);
  const rows = readFileSync(join(dir, 'custom', 'trials.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  for (const r of rows) assert.equal(Number(r[3]), Number(r[7]) / Math.abs(Number(r[9])), 'objective = total_return / |max_drawdown|');
});
