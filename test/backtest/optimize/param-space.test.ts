import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILT_IN_STRATEGIES } from '../../../src/strategy/index.ts';
import { createSearch, gridPoint, gridSize, parseConstraint, parseGrid, satisfiesAll } from '../../../src/backtest/optimize/index.ts';

const schema = BUILT_IN_STRATEGIES['sma-cross'].params;
const grid = (t: string) => parseGrid(t, schema, 'sma-cross');
const refused = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e.name === 'KeelError' && re.test(e.message) && !e.message.includes('\n'));

test('a grid: inclusive stepped ranges, lists, single values; the last dimension varies fastest', () => {
  const s = grid('fast=5..50:5,slow=20..200:10,short=true|false,ties=keep');
  assert.deepEqual(s.dimensions.map((d) => d.values?.length), [10, 19, 2, 1]);
  assert.equal(gridSize(s), 380);
  assert.deepEqual(gridPoint(s, 0), { fast: 5, slow: 20, short: true, ties: 'keep' });
  assert.deepEqual(gridPoint(s, 1), { fast: 5, slow: 20, short: false, ties: 'keep' });
  assert.deepEqual(gridPoint(s, 379), { fast: 50, slow: 200, short: false, ties: 'keep' });
  assert.deepEqual(grid('fast=3..7').dimensions[0].values, [3, 4, 5, 6, 7], 'integer step defaults to 1');
});

test('bad grids are one line naming the parameter and what it was given', () => {
  refused(() => grid('fast=50..5:5'), /^--grid fast = "50\.\.5:5": is an empty range \(50 is above 5\)/);
  refused(() => grid('fast=5..50:0'), /--grid fast = "5\.\.50:0": has step 0; the step must be positive/);
  refused(() => grid('fast=5..50:-1'), /step must be positive/);
  refused(() => grid('fsat=5..50:5'), /--grid fsat = "5\.\.50:5": is not a parameter of sma-cross \(known: fast, slow, short, ties\)/);
  refused(() => grid('fast=1.5..3:0.5'), /must be whole numbers/);
  refused(() => grid('fast=0..10'), /below the parameter's minimum 1/);
  refused(() => grid('ties=keep|sideways'), /sideways is not one of keep, break/);
  refused(() => grid('fast=5,fast=6'), /is given twice/);
  refused(() => grid('fast'), /expected name=range pairs/);
});

test('constraints: comparisons, chains, arithmetic, && || !, quoted strings; no eval', () => {
  const names = ['fast', 'slow', 'ties', 'short'];
  const c = (t: string) => parseConstraint(t, names);
  assert.equal(c('fast<slow').test({ fast: 10, slow: 30 }), true);
  assert.equal(c('fast<slow').test({ fast: 30, slow: 30 }), false);
  assert.equal(c('slow >= 2*fast && fast > 3').test({ fast: 10, slow: 20 }), true);
  assert.equal(c('slow >= 2*fast && fast > 3').test({ fast: 3, slow: 20 }), false);
  assert.equal(c('5 < fast < slow').test({ fast: 6, slow: 7 }), true);
  assert.equal(c('5 < fast < slow').test({ fast: 8, slow: 7 }), false);
  assert.equal(c("ties == 'keep' || !short").test({ ties: 'break', short: false }), true);
  assert.equal(c('(slow - fast) / fast >= 1').test({ fast: 10, slow: 19 }), false);
  refused(() => c('fast<<slow'), /--constraint = "fast<<slow": cannot be parsed: unexpected "<"/);
  refused(() => c('fast < slwo'), /names an unknown parameter slwo \(known: fast, slow, ties, short\)/);
  refused(() => c('fast + slow'), /is not a comparison/);
  refused(() => c('process.exit(1)'), /cannot be parsed|unknown parameter/);
  refused(() => c('(fast < slow'), /"\(" is not closed/);
  refused(() => c(''), /is empty/);
});

test('a constraint that excludes every point is refused before anything runs, for every search', () => {
  const s = grid('fast=50..60,slow=10..20');
  const cs = [parseConstraint('fast<slow', ['fast', 'slow'])];
  for (const kind of ['grid', 'random', 'tpe'] as const) {
    refused(() => createSearch({ kind, space: s, constraints: cs, trials: 10, seed: 1 }), /^--constraint = "fast<slow": excludes every point of the grid fast=50\.\.60,slow=10\.\.20/);
  }
});

test('grid search proposes every feasible point once, in grid order', () => {
  const s = grid('fast=5..50:5,slow=20..200:10');
  const cs = [parseConstraint('fast<slow', ['fast', 'slow'])];
  const search = createSearch({ kind: 'grid', space: s, constraints: cs, trials: 0, seed: 1 });
  const points = search.next([]);
  assert.equal(points.length, 174);
  assert.equal(search.planned, 174);
  assert.ok(points.every((p) => satisfiesAll(cs, p)));
  assert.deepEqual(search.next(points.map((params) => ({ params, objective: 0 }))), []);
  assert.throws(() => createSearch({ kind: 'grid', space: parseGrid('fast=5..50', BUILT_IN_STRATEGIES['bollinger-breakout'].params, 'bollinger-breakout'), constraints: [], trials: 0, seed: 1 }));
});
