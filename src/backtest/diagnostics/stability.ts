/**
 * Parameter stability: how the objective falls off around the optimum. A best trial standing on a plateau
 * (its neighbours score almost as well) is more credible than a lone spike, which is usually noise fitted
 * by the search. Two views:
 * - the neighbourhood: trials one grid step away in every parameter (the 3^k − 1 cells around the best), or,
 *   off a grid, within 10% of each parameter's range; their mean and worst objective, and the share of the
 *   best objective the mean keeps;
 * - a profile per parameter: the objective along that parameter with the others held at the optimum.
 */

type Value = number | string | boolean;

/** The part of a swept dimension stability needs (structurally a `Dimension` of `optimize/`). */
export interface StabilityDimension {
  readonly name: string;
  readonly values?: readonly Value[];
  readonly from?: number;
  readonly to?: number;
  readonly ordered: boolean;
}

export interface StabilityTrial {
  readonly params: Readonly<Record<string, Value>>;
  readonly objective: number | null;
}

export interface ParameterProfile {
  readonly name: string;
  /** Objective at each value of the parameter with the others at the optimum, where such a trial ran. */
  readonly points: ReadonlyArray<{ readonly value: Value; readonly objective: number | null }>;
}

export interface Stability {
  readonly bestObjective: number;
  readonly neighbours: number;
  readonly neighbourMean: number | null;
  readonly neighbourWorst: number | null;
  /** neighbourMean / bestObjective when the best is positive; how much of the optimum survives a nudge. */
  readonly retained: number | null;
  readonly profiles: readonly ParameterProfile[];
}

/** Off-grid neighbourhood radius, as a share of each parameter's range. */
const RADIUS = 0.1;

/**
 * Stability of the best trial among `trials` (those with an objective).
 *
 * @example parameterStability(space.dimensions, trials)?.retained // 0.87: neighbours keep 87% of the best
 */
export function parameterStability(dimensions: readonly StabilityDimension[], trials: readonly StabilityTrial[]): Stability | null {
  const scored = trials.filter((t): t is StabilityTrial & { objective: number } => t.objective !== null && Number.isFinite(t.objective));
  if (scored.length === 0) return null;
  let best = scored[0];
  for (const t of scored) if (t.objective > best.objective) best = t;
  const onGrid = dimensions.every((d) => d.values !== undefined);
  const neighbours = scored.filter((t) => t !== best && (onGrid ? gridNeighbour(dimensions, best.params, t.params) : nearby(dimensions, best.params, t.params)));
  const objectives = neighbours.map((t) => t.objective);
  const mean = objectives.length ? objectives.reduce((a, b) => a + b, 0) / objectives.length : null;
  const worst = objectives.length ? Math.min(...objectives) : null;
  return {
    bestObjective: best.objective,
    neighbours: neighbours.length,
    neighbourMean: mean,
    neighbourWorst: worst,
    retained: mean !== null && best.objective > 0 ? mean / best.objective : null,
    profiles: onGrid ? dimensions.map((d) => profile(d, dimensions, best.params, scored)) : [],
  };
}

function gridNeighbour(dims: readonly StabilityDimension[], a: Readonly<Record<string, Value>>, b: Readonly<Record<string, Value>>): boolean {
  for (const d of dims) {
    const i = d.values!.indexOf(a[d.name]);
    const j = d.values!.indexOf(b[d.name]);
    if (i < 0 || j < 0) return false;
    if (d.ordered ? Math.abs(i - j) > 1 : false) return false;
  }
  return true;
}

function nearby(dims: readonly StabilityDimension[], a: Readonly<Record<string, Value>>, b: Readonly<Record<string, Value>>): boolean {
  for (const d of dims) {
    const x = a[d.name];
    const y = b[d.name];
    if (!d.ordered) { if (x !== y) return false; continue; }
    if (d.values) {
      const k = d.values.length - 1;
      if (k > 0 && Math.abs(d.values.indexOf(x) - d.values.indexOf(y)) / k > RADIUS) return false;
    } else {
      const span = (d.to ?? 0) - (d.from ?? 0);
      if (span > 0 && Math.abs((x as number) - (y as number)) / span > RADIUS) return false;
    }
  }
  return true;
}

function profile(d: StabilityDimension, dims: readonly StabilityDimension[], best: Readonly<Record<string, Value>>, scored: readonly StabilityTrial[]): ParameterProfile {
  const others = dims.filter((o) => o !== d);
  const points = d.values!.map((value) => {
    const hit = scored.find((t) => t.params[d.name] === value && others.every((o) => t.params[o.name] === best[o.name]));
    return { value, objective: hit ? hit.objective : null };
  });
  return { name: d.name, points };
}
