import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keel, ORCL } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
const ISSUE_ARGS = ['--strategy', 'sma-cross', '--params', 'fast=10,slow=30', '--data', ORCL, '--cash', '100000', '--commission-pct', '0.1', '--sizing', 'all-in'];

test('the documented backtest command writes result.json and a self-contained report, byte-identical on a rerun', () => {
  const a = keel(['backtest', ...ISSUE_ARGS, '--out', join(dir, 'a.json'), '--report', join(dir, 'a.html')]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /total return/);
  const b = keel(['backtest', ...ISSUE_ARGS, '--out', join(dir, 'b.json'), '--report', join(dir, 'b.html'), '--quiet']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, '');
  const ja = readFileSync(join(dir, 'a.json'), 'utf8');
  assert.equal(ja, readFileSync(join(dir, 'b.json'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'a.html'), 'utf8'), readFileSync(join(dir, 'b.html'), 'utf8'));
  const r = JSON.parse(ja);
  for (const k of ['finalEquity', 'bars', 'trades', 'metrics']) assert.ok(k in r, k);
  for (const k of ['sharpe', 'sortino', 'maxDrawdown', 'cagr', 'calmar', 'totalReturn', 'winRate', 'profitFactor', 'trades']) assert.ok(k in r.metrics, k);
  for (const k of ['entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'quantity', 'pnl']) assert.ok(k in r.trades[0], k);
  assert.equal(r.bars, 5036);
  assert.ok(r.metrics.maxDrawdown < 0);
  const html = readFileSync(join(dir, 'a.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=/);
});

test('a strategy from a user .ts file runs', () => {
  const r = keel(['backtest', '--strategy', 'examples/strategies/donchian-breakout.ts', '--params', 'lookback=30', '--data', ORCL, '--out', join(dir, 'd.json')]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
  assert.ok(res.trades.length > 5);
  assert.ok(res.fills.some((f: { tag: string }) => f.tag === 'stop-loss'), 'the protective stop fires at least once');
});

const BAD: Array<[string, string[], RegExp]> = [
  ['missing data file', ['backtest', '--strategy', 'sma-cross', '--data', 'no-such.csv'], /no-such\.csv: file not found/],
  ['unknown strategy', ['backtest', '--strategy', 'smacross', '--data', ORCL], /--strategy = "smacross": is neither a built-in strategy nor a file/],
  ['strategy file missing', ['backtest', '--strategy', './nope.ts', '--data', ORCL], /--strategy = "\.\/nope\.ts": file not found/],
  ['bad parameter value', ['backtest', '--strategy', 'sma-cross', '--params', 'fast=abc', '--data', ORCL], /--params fast = "abc": is not a number/],
  ['unknown parameter', ['backtest', '--strategy', 'sma-cross', '--params', 'fats=3', '--data', ORCL], /--params fats = "3": is not a parameter of sma-cross/],
  ['inconsistent parameters', ['backtest', '--strategy', 'sma-cross', '--params', 'fast=40', '--data', ORCL], /--params fast = 40: must be smaller than slow/],
  ['bad number', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--cash', '10k'], /--cash = "10k": is not a decimal number/],
  ['negative cash', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--cash', '-5'], /--cash = "-5": must be positive/],
  ['bad commission', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--commission-pct', 'x'], /--commission-pct = "x": is not a number/],
  ['bad sizing', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--sizing', 'most'], /--sizing = "most": is not a sizing rule/],
  ['unknown flag', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--bogus', '1'], /Unknown option '--bogus'/],
  ['missing --data', ['backtest', '--strategy', 'sma-cross'], /--data: is required/],
  ['bad time zone', ['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--timezone', 'Mars/X'], /--timezone = "Mars\/X": is not an IANA time zone/],
  ['not a CSV of prices', ['backtest', '--strategy', 'sma-cross', '--data', 'package.json'], /package\.json: no time column/],
  ['unknown command', ['frobnicate'], /command = "frobnicate": is not a keel command/],
];

for (const [name, args, message] of BAD) {
  test(`bad input gives one clear line and a non-zero exit: ${name}`, () => {
    const r = keel(args);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('an exception in a user strategy names the file and line, without a stack trace', () => {
  const file = join(dir, 'boom.ts');
  writeFileSync(file, `import { Strategy } from '${join(process.cwd(), 'src/index.ts')}';\nexport default class Boom extends Strategy {\n  override onBar() { throw new Error('boom'); }\n}\n`);
  const r = keel(['backtest', '--strategy', file, '--data', ORCL]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: boom \(at .*boom\.ts:3\)/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('keel analyze computes metrics for a Date,Equity file', () => {
  const csv = join(dir, 'equity.csv');
  writeFileSync(csv, 'Date,Equity\n2024-01-01,100\n2024-01-02,110\n2024-01-03,99\n2024-01-04,121\n');
  const out = join(dir, 'metrics.json');
  const r = keel(['analyze', csv, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(readFileSync(out, 'utf8')).metrics;
  assert.ok(Math.abs(m.totalReturn - 0.21) < 1e-12);
  assert.ok(Math.abs(m.maxDrawdown - (99 / 110 - 1)) < 1e-12);
});

test('keel data validate prints a report and fails on a broken file', () => {
  const ok = keel(['data', 'validate', ORCL]);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /5036 rows of bars/);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,abc,100\n');
  const r = keel(['data', 'validate', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /line 3/);
});

test('the terminal summary rounds fractional drawdown durations of intraday data', () => {
  const r = keel(['backtest', '--strategy', 'sma-cross', '--data', '../shared/data/intraday/EURUSD-1h-2017-2018.csv', '--tick', '0.00001', '--sizing', 'units:10000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /max drawdown\s+-\d+\.\d{2}% \(\d+(\.\d)? days\)\n/);
});

test('keel data validate --json prints ISO times and an ok flag', () => {
  const r = keel(['data', 'validate', ORCL, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, true);
  assert.equal(j.first, '1995-01-03T00:00:00.000Z');
  assert.equal(j.rows, 5036);
});
