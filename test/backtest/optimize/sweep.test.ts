import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData } from '../../../src/data/index.ts';
import { tickForDecimals, type Bar } from '../../../src/model/index.ts';
import { loadStrategy } from '../../../src/strategy/index.ts';
import { buildResult, runBacktest, engineModels, instrumentOf } from '../../../src/backtest/index.ts';
import {
  buildTrialContext, createSearch, InlineExecutor, LocalPool, packSeries, parseConstraint, parseGrid, runSweep, seriesHash, trialsCsv, unpackSeries, type SweepSpec,
} from '../../../src/backtest/optimize/index.ts';
import { ORCL } from '../../helpers/cli.ts';

const data = loadMarketData(ORCL);
if (data.kind !== 'bars') throw new Error('bars');
const bars: Bar[] = data.bars;
const strategy = await loadStrategy('sma-cross');
const spec: SweepSpec = {
  strategy: { ref: 'sma-cross', codeHash: strategy.codeHash }, objective: { kind: 'metric', name: 'sharpe' }, fixedParams: {},
  instrument: { id: 'ORCL', priceTick: tickForDecimals(data.priceDecimals) },
  settings: { cash: '100000', sizing: { kind: 'all-in' }, fees: { kind: 'percent', percent: '0.1', minimum: '0' }, slippage: { kind: 'none' }, latencyMs: 0, jitterMs: 0, seed: 1, participation: 1, limitFill: 'through', riskFreeRate: 0 },
  blocks: 16,
};
const space = parseGrid('fast=10..40:10,slow=50..150:50', strategy.cls.params, 'sma-cross');
const constraints = [parseConstraint('fast<slow', ['fast', 'slow'])];
const grid = () => createSearch({ kind: 'grid', space, constraints, trials: 0, seed: 1 });

test('the packed series unpacks to the same bars, and its hash names its content', () => {
  const packed = packSeries(bars);
  assert.ok(packed.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(unpackSeries(packed), bars);
  const changed = bars.map((b, i) => (i === 100 ? { ...b, close: b.close + 0.01 } : b));
  assert.notEqual(seriesHash(packSeries(changed)), seriesHash(packed));
});

test('a trial is the real engine: its metrics are the ones keel backtest reports for the same parameters', async () => {
  const ctx = await buildTrialContext(spec, bars);
  const [trial] = await new InlineExecutor(ctx).run([{ id: 0, params: { fast: 20, slow: 100 } }]);
  const params = { fast: 20, slow: 100, short: false, ties: 'keep' };
  const run = runBacktest({ strategyId: 'sma-cross', strategyClass: strategy.cls, params, instrument: instrumentOf(spec.instrument), events: bars, ...engineModels(spec.settings) });
  const m = buildResult(run, { strategyName: 'sma-cross', params, dataSource: ORCL, dataLayout: 'x', dataWarnings: 0, config: {} }).metrics;
  assert.equal(trial.error, null);
  assert.equal(trial.objective, m.sharpe);
  assert.deepEqual(trial.metrics, {
    totalReturn: m.totalReturn, cagr: m.cagr, sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar, maxDrawdown: m.maxDrawdown, trades: m.trades,
    winRate: m.winRate, profitFactor: m.profitFactor, exposureTime: m.exposureTime, endEquity: m.endEquity,
  });
  assert.equal(trial.moments!.count, bars.length - 1);
  assert.equal(trial.blocks!.count.reduce((a, b) => a + b, 0), bars.length - 1);
});

test('a strategy refusing its parameters is a failed trial with the reason, not a crashed sweep', async () => {
  const ctx = await buildTrialContext(spec, bars);
  const [t] = await new InlineExecutor(ctx).run([{ id: 3, params: { fast: 60, slow: 50 } }]);
  assert.equal(t.objective, null);
  assert.match(t.error!, /--params fast = 60: must be smaller than slow \(50\)/);
});

test('the same sweep gives the same table byte for byte in this thread, on 1 and on 2 worker threads', async () => {
  const ctx = await buildTrialContext(spec, bars);
  const inline = await runSweep({ search: grid(), executor: new InlineExecutor(ctx) });
  const series = packSeries(bars);
  const tables: string[] = [];
  for (const threads of [1, 2]) {
    const pool = new LocalPool(spec, series, threads);
    try {
      const seen: number[] = [];
      const outcome = await runSweep({ search: grid(), executor: pool, onResult: (r) => seen.push(r.id) });
      assert.equal(seen.length, outcome.trials.length);
      tables.push(trialsCsv(space, outcome.trials));
    } finally {
      await pool.close();
    }
  }
  const expected = trialsCsv(space, inline.trials);
  assert.equal(inline.trials.length, 12);
  assert.deepEqual(inline.trials.map((t) => t.id), [...Array(12).keys()]);
  assert.equal(tables[0], expected);
  assert.equal(tables[1], expected);
  assert.equal(inline.best, [...inline.trials].sort((a, b) => b.objective! - a.objective!)[0]);
});
