import { test } from 'node:test';
import assert from 'node:assert/strict';
import { param } from '../../../src/strategy/index.ts';
import { createSearch, parseConstraint, parseGrid, pointKey, type Observation, type ParamPoint, type Search } from '../../../src/backtest/optimize/index.ts';

const schema = { x: param.int(0, { min: 0 }), y: param.int(0, { min: 0 }), k: param.number(0), mode: param.string('a', { choices: ['a', 'b', 'c'] }) };
const space = parseGrid('x=0..60,y=0..60', schema, 'toy');
/** A smooth objective with one peak at (42, 17). */
const f = (p: ParamPoint) => -(((p.x as number) - 42) ** 2) - (((p.y as number) - 17) ** 2);

function drive(search: Search, objective: (p: ParamPoint) => number): Observation[] {
  const history: Observation[] = [];
  for (;;) {
    const batch = search.next(history);
    if (batch.length === 0) return history;
    for (const params of batch) history.push({ params, objective: objective(params) });
  }
}
const best = (h: Observation[]) => Math.max(...h.map((o) => o.objective!));

test('random search: N distinct feasible points, the same for the same seed, different for another', () => {
  const cs = [parseConstraint('x < y', ['x', 'y'])];
  const a = drive(createSearch({ kind: 'random', space, constraints: cs, trials: 50, seed: 3 }), f);
  const b = drive(createSearch({ kind: 'random', space, constraints: cs, trials: 50, seed: 3 }), f);
  const c = drive(createSearch({ kind: 'random', space, constraints: cs, trials: 50, seed: 4 }), f);
  assert.equal(a.length, 50);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(new Set(a.map((o) => pointKey(space, o.params))).size, 50);
  assert.ok(a.every((o) => (o.params.x as number) < (o.params.y as number)));
});

test('TPE: deterministic for a seed, never repeats a point, honours constraints, and beats random search on a smooth objective', () => {
  const cs = [parseConstraint('x != 0', ['x', 'y'])];
  const t1 = drive(createSearch({ kind: 'tpe', space, constraints: cs, trials: 60, seed: 1 }), f);
  const t2 = drive(createSearch({ kind: 'tpe', space, constraints: cs, trials: 60, seed: 1 }), f);
  assert.deepEqual(t1, t2);
  assert.equal(t1.length, 60);
  assert.equal(new Set(t1.map((o) => pointKey(space, o.params))).size, 60);
  assert.ok(t1.every((o) => o.params.x !== 0));
  // Over several seeds the model-based search gets closer to the peak than random search with the same budget.
  let tpeWins = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const tpe = best(drive(createSearch({ kind: 'tpe', space, constraints: [], trials: 60, seed }), f));
    const rnd = best(drive(createSearch({ kind: 'random', space, constraints: [], trials: 60, seed }), f));
    if (tpe > rnd) tpeWins++;
  }
  assert.ok(tpeWins >= 5, `TPE better in ${tpeWins} of 6 seeds`);
});

test('TPE on continuous and categorical dimensions stays in range', () => {
  const s = parseGrid('k=-1..2,mode=a|b|c', schema, 'toy');
  const h = drive(createSearch({ kind: 'tpe', space: s, constraints: [], trials: 40, seed: 9 }), (p) => -(((p.k as number) - 1.5) ** 2) + (p.mode === 'b' ? 1 : 0));
  assert.equal(h.length, 40);
  assert.ok(h.every((o) => (o.params.k as number) >= -1 && (o.params.k as number) <= 2 && ['a', 'b', 'c'].includes(o.params.mode as string)));
  const top = [...h].sort((a, b) => b.objective! - a.objective!)[0];
  assert.equal(top.params.mode, 'b');
  assert.ok(Math.abs((top.params.k as number) - 1.5) < 0.3, `best k ${top.params.k}`);
});

test('TPE on a small discrete space runs every point once and stops', () => {
  const small = parseGrid('x=1..5,y=1..3', schema, 'toy');
  const h = drive(createSearch({ kind: 'tpe', space: small, constraints: [], trials: 100, seed: 2 }), f);
  assert.equal(h.length, 15);
});
