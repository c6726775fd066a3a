import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData } from '../../src/data/index.ts';
import { tickForDecimals, type Bar } from '../../src/model/index.ts';
import { loadStrategy } from '../../src/strategy/index.ts';
import { engineModels, instrumentOf, runBacktest } from '../../src/backtest/index.ts';
import { recordingDecisions } from '../../src/backtest/diagnostics/index.ts';
import { buildTrialContext, createSearch, InlineExecutor, parseConstraint, parseGrid, type SweepSpec } from '../../src/backtest/optimize/index.ts';
import { addSpan, parseWalkForward, runWalkForward, warmedUp, windowsOf } from '../../src/backtest/walk-forward/index.ts';
import { ORCL } from '../helpers/cli.ts';

const data = loadMarketData(ORCL);
if (data.kind !== 'bars') throw new Error('bars');
const bars: Bar[] = data.bars;
const times = bars.map((b) => b.ts);
const strategy = await loadStrategy('sma-cross');
const spec: SweepSpec = {
  strategy: { ref: 'sma-cross', codeHash: strategy.codeHash }, objective: { kind: 'metric', name: 'sharpe' }, fixedParams: {},
  instrument: { id: 'ORCL', priceTick: tickForDecimals(data.priceDecimals) },
  settings: { cash: '100000', sizing: { kind: 'all-in' }, fees: { kind: 'percent', percent: '0.1', minimum: '0' }, slippage: { kind: 'none' }, latencyMs: 0, jitterMs: 0, seed: 1, participation: 1, limitFill: 'through', riskFreeRate: 0 },
  blocks: 8,
};

test('walk-forward plans and calendar spans', () => {
  assert.deepEqual(parseWalkForward('train=3y,test=6m,anchored'), { train: { count: 3, unit: 'y', text: '3y' }, test: { count: 6, unit: 'm', text: '6m' }, anchored: true });
  assert.throws(() => parseWalkForward('train=3y'), /needs both train= and test=/);
  assert.throws(() => parseWalkForward('train=3x,test=6m'), /"3x" is not a length/);
  assert.equal(new Date(addSpan(Date.UTC(2020, 0, 31), { count: 1, unit: 'm', text: '1m' })).toISOString().slice(0, 10), '2020-02-29', 'month ends clamp');
  assert.equal(new Date(addSpan(Date.UTC(2019, 5, 15), { count: 2, unit: 'y', text: '2y' })).toISOString().slice(0, 10), '2021-06-15');
});

test('rolling windows slide by the test length; anchored ones keep their start; tests tile the data after the first training window', () => {
  const rolling = windowsOf(times, parseWalkForward('train=3y,test=1y'));
  const anchored = windowsOf(times, parseWalkForward('train=3y,test=1y,anchored'));
  assert.equal(rolling.length, anchored.length);
  assert.ok(rolling.length >= 16);
  for (let i = 0; i < rolling.length; i++) {
    const w = rolling[i];
    assert.equal(w.trainTo, w.testFrom);
    if (i > 0) assert.equal(w.testFrom, rolling[i - 1].testTo, 'test windows are contiguous');
    assert.equal(anchored[i].trainFrom, 0);
    assert.equal(anchored[i].testFrom, w.testFrom);
    const trainYears = (times[w.trainTo - 1] - times[w.trainFrom]) / (365.25 * 86_400_000);
    assert.ok(trainYears > 2.9 && trainYears <= 3, `window ${i} trains on ${trainYears} years`);
  }
  assert.equal(rolling[rolling.length - 1].testTo, times.length, 'the last test window ends with the data');
});

test('warm-up: the strategy sees the training tail with its orders held back, so its first out-of-sample trade is the first cross after the window opens', () => {
  const params = { fast: 10, slow: 100, short: false, ties: 'keep' };
  const instrument = instrumentOf(spec.instrument);
  const run = (cls: typeof strategy.cls, events: Bar[]) => runBacktest({ strategyId: 'sma-cross', strategyClass: cls, params, instrument, events, ...engineModels(spec.settings) });
  const full = recordingDecisions(strategy.cls);
  run(full.cls, bars);
  // Open the test window 20 bars before an entry of the full run after bar 1000.
  const entryBar = times.indexOf(full.decisions.find((d) => d.ts >= times[1000] && JSON.parse(d.detail).side === 'buy')!.ts);
  const open = entryBar - 20;
  const tradeFrom = bars[open].ts;
  const warmed = recordingDecisions(strategy.cls);
  const warmRun = run(warmedUp(warmed.cls, tradeFrom), bars.slice(0, 1600));
  const cold = recordingDecisions(strategy.cls);
  run(cold.cls, bars.slice(open, 1600));
  assert.ok(warmed.decisions.length > 0);
  assert.ok(warmed.decisions.every((d) => d.ts >= tradeFrom), 'no order went out during the warm-up');
  assert.ok(warmRun.booker.fills.every((f) => f.ts > tradeFrom));
  const firstEntry = full.decisions.find((d) => d.ts >= tradeFrom && JSON.parse(d.detail).side === 'buy')!;
  assert.deepEqual({ ts: warmed.decisions[0].ts, side: JSON.parse(warmed.decisions[0].detail).side }, { ts: firstEntry.ts, side: 'buy' });
  // Without the warm-up the 100-bar average is not ready until the 100th bar of the window.
  assert.ok(cold.decisions.every((d) => d.ts >= bars[open + 99].ts));
  assert.ok(firstEntry.ts < bars[open + 99].ts, 'this window has a cross the cold start misses');
});

test('a walk-forward run: each window optimised in sample, traded out of sample, the OOS curve stitched without jumps', async () => {
  const ctx = await buildTrialContext(spec, bars);
  const space = parseGrid('fast=10..30:10,slow=50..150:50', strategy.cls.params, 'sma-cross');
  const constraints = [parseConstraint('fast<slow', ['fast', 'slow'])];
  const windows = windowsOf(times, parseWalkForward('train=4y,test=2y'));
  const result = await runWalkForward({
    ctx, space, newSearch: () => createSearch({ kind: 'grid', space, constraints, trials: 0, seed: 1 }), executor: new InlineExecutor(ctx), windows, blocks: 8,
  });
  assert.equal(result.windows.length, windows.length);
  assert.equal(result.trialsRun, windows.length * 9);
  const testBars = windows.reduce((n, w) => n + (w.testTo - w.testFrom), 0);
  assert.equal(result.oos.times.length, testBars);
  assert.equal(result.oos.times[0], bars[windows[0].testFrom].ts);
  assert.equal(result.oos.equity[0], 100_000, 'the first test bar is before any fill');
  let at = 0;
  for (const w of result.windows) {
    assert.ok(w.best !== null);
    assert.ok(w.diagnostics.deflatedSharpe !== null && w.diagnostics.pbo !== null);
    if (at > 0) assert.ok(Math.abs(result.oos.equity[at] - result.oos.equity[at - 1]) < 1e-6, `window ${w.window.index} starts where the last ended`);
    at += w.window.testTo - w.window.testFrom;
  }
  assert.ok(result.oosMetrics !== null && result.oosProbabilisticSharpe !== null);
});
