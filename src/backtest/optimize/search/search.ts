import { KeelError } from '../../../model/index.ts';
import { SeededRandom } from '../../../kernel/index.ts';
import { satisfiesAll, type Constraint } from '../constraint.ts';
import { gridPoint, gridSize, orderedPoint, pointKey, type ParamPoint, type ParamSpace, type ParamValue } from '../param-space.ts';
import { TpeSearch } from './tpe.ts';

/** A finished trial as a search sees it. */
export interface Observation {
  readonly params: ParamPoint;
  readonly objective: number | null;
}

/**
 * How the next trials are chosen. `next(history)` gets every finished trial in id order and returns the next
 * batch (empty when done). A search depends only on its seed and the history, never on timing or on how many
 * workers there are, so the same seed always proposes the same trials.
 */
export interface Search {
  readonly kind: SearchKind;
  /** Trials the search intends to run (for progress and ETA). */
  readonly planned: number;
  next(history: readonly Observation[]): ParamPoint[];
}

export type SearchKind = 'grid' | 'random' | 'tpe';

export interface SearchOptions {
  readonly kind: SearchKind;
  readonly space: ParamSpace;
  readonly constraints: readonly Constraint[];
  /** Trials for random and TPE search. */
  readonly trials: number;
  readonly seed: number;
}

/** Above this many grid points, feasibility is checked by sampling instead of walking the grid. */
const ENUMERATE_LIMIT = 200_000;
/** Random draws per wanted point before concluding the constraints leave (almost) nothing. */
const REJECTION_TRIES = 1_000;

/**
 * Build a search. Fails with one line when the constraints exclude every point, or a grid meets a
 * continuous range.
 *
 * @example createSearch({ kind: 'grid', space, constraints, trials: 0, seed: 1 }).planned // 172
 */
export function createSearch(o: SearchOptions): Search {
  switch (o.kind) {
    case 'grid': return gridSearch(o);
    case 'random': return randomSearch(o);
    case 'tpe': return new TpeSearch(o, feasiblePoints(o), (rng) => samplePoint(o.space, rng));
  }
}

/** Every feasible grid point in grid order, or undefined when the space is continuous or too large to walk. */
function feasiblePoints(o: SearchOptions): ParamPoint[] | undefined {
  const size = gridSize(o.space);
  if (size === undefined || size > ENUMERATE_LIMIT) return undefined;
  const out: ParamPoint[] = [];
  for (let i = 0; i < size; i++) {
    const p = gridPoint(o.space, i);
    if (satisfiesAll(o.constraints, p)) out.push(p);
  }
  if (out.length === 0) throw excludesEverything(o);
  return out;
}

function gridSearch(o: SearchOptions): Search {
  const size = gridSize(o.space);
  if (size === undefined) {
    const d = o.space.dimensions.find((x) => x.values === undefined)!;
    throw new KeelError('BAD_GRID', 'is a continuous range; a grid needs a step', { field: `--grid ${d.name}`, value: d.text, hint: `add :STEP, or use --search random or tpe` });
  }
  if (size > ENUMERATE_LIMIT * 5) {
    throw new KeelError('BAD_GRID', `has ${size.toLocaleString('en-US')} points`, { field: '--grid', value: describeSpace(o.space), hint: 'use larger steps, or --search tpe --trials N' });
  }
  const points: ParamPoint[] = [];
  for (let i = 0; i < size; i++) {
    const p = gridPoint(o.space, i);
    if (satisfiesAll(o.constraints, p)) points.push(p);
  }
  if (points.length === 0) throw excludesEverything(o);
  let done = false;
  return {
    kind: 'grid', planned: points.length,
    next: () => {
      if (done) return [];
      done = true;
      return points;
    },
  };
}

function randomSearch(o: SearchOptions): Search {
  const rng = new SeededRandom(o.seed);
  const feasible = feasiblePoints(o);
  let points: ParamPoint[];
  if (feasible) {
    // Sample without replacement: a partial Fisher–Yates shuffle driven by the seeded generator.
    const pool = [...feasible];
    const n = Math.min(o.trials, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    points = pool.slice(0, n);
  } else {
    points = [];
    const seen = new Set<string>();
    let tries = 0;
    while (points.length < o.trials && tries < REJECTION_TRIES * o.trials) {
      tries++;
      const p = samplePoint(o.space, rng);
      const key = pointKey(o.space, p);
      if (seen.has(key) || !satisfiesAll(o.constraints, p)) continue;
      seen.add(key);
      points.push(p);
    }
    if (points.length === 0) throw excludesEverything(o);
  }
  let done = false;
  return {
    kind: 'random', planned: points.length,
    next: () => {
      if (done) return [];
      done = true;
      return points;
    },
  };
}

/** A uniform draw from the space: a random grid value, or uniform in a continuous range. */
export function samplePoint(space: ParamSpace, rng: SeededRandom): ParamPoint {
  const out: Record<string, ParamValue> = {};
  for (const d of space.dimensions) {
    if (d.values) out[d.name] = d.values[rng.int(d.values.length)];
    else out[d.name] = d.from! + rng.next() * (d.to! - d.from!);
  }
  return orderedPoint(space, out);
}

function excludesEverything(o: SearchOptions): KeelError {
  return new KeelError('CONSTRAINT_EXCLUDES_ALL', `excludes every point of the grid ${describeSpace(o.space)}`, {
    field: '--constraint', value: o.constraints.map((c) => c.text).join(' && '), hint: 'widen the ranges or loosen the constraint',
  });
}

export function describeSpace(space: ParamSpace): string {
  return space.dimensions.map((d) => `${d.name}=${d.text}`).join(',');
}
