/**
 * Tree-structured Parzen Estimator search (J. Bergstra, R. Bardenet, Y. Bengio, B. Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011, section 4), univariate form: after a few random trials, the
 * finished trials are split into the best γ share ("good") and the rest; each parameter gets two Parzen
 * densities, l(x) over the good trials and g(x) over the others, and the candidate maximising
 * Σ log l(x_d) − log g(x_d) (the expected-improvement criterion of the paper, eq. 6) among 24 draws from l
 * is tried next.
 *
 * Written here rather than taken from a package: it is ~200 lines, it must draw from Keel's seeded generator
 * so that the same seed proposes the same trials, and it must honour the grid's steps and the constraints.
 * Proposals come in batches of a fixed size (BATCH), so the trials depend on the seed and the results only,
 * never on how many workers run them.
 */
import { SeededRandom } from '../../../kernel/index.ts';
import { normalCdf, normalQuantile } from '../../diagnostics/normal.ts';
import { satisfiesAll } from '../constraint.ts';
import { orderedPoint, pointKey, type Dimension, type ParamPoint, type ParamValue } from '../param-space.ts';
import type { Observation, Search, SearchOptions } from './search.ts';

/** Trials proposed per model update. Fixed, so results never depend on the number of workers. */
export const TPE_BATCH = 8;
/** Random trials before the model is used. */
export const TPE_STARTUP = 10;
/** Candidates drawn from l(x) per proposal. */
const CANDIDATES = 24;

/** One Gaussian kernel on the unit interval (a parameter's range mapped to [0, 1]). */
interface Kernel { readonly mu: number; readonly sigma: number; readonly weight: number }

export class TpeSearch implements Search {
  readonly kind = 'tpe' as const;
  readonly planned: number;
  private readonly o: SearchOptions;
  private readonly feasible: readonly ParamPoint[] | undefined;
  private readonly sample: (rng: SeededRandom) => ParamPoint;
  private readonly rng: SeededRandom;
  private readonly proposed = new Set<string>();
  private readonly startup: number;

  constructor(o: SearchOptions, feasible: readonly ParamPoint[] | undefined, sample: (rng: SeededRandom) => ParamPoint) {
    this.o = o;
    this.feasible = feasible;
    this.sample = sample;
    this.rng = new SeededRandom(o.seed);
    this.planned = feasible ? Math.min(o.trials, feasible.length) : o.trials;
    this.startup = Math.min(this.planned, TPE_STARTUP);
  }

  next(history: readonly Observation[]): ParamPoint[] {
    const left = this.planned - this.proposed.size;
    if (left <= 0) return [];
    if (this.proposed.size < this.startup) return this.randomUnseen(this.startup - this.proposed.size);
    return this.fromModel(history, Math.min(TPE_BATCH, left));
  }

  private remember(p: ParamPoint): void {
    this.proposed.add(pointKey(this.o.space, p));
  }

  private seen(p: ParamPoint): boolean {
    return this.proposed.has(pointKey(this.o.space, p));
  }

  private randomUnseen(n: number): ParamPoint[] {
    const out: ParamPoint[] = [];
    if (this.feasible) {
      const unseen = this.feasible.filter((p) => !this.seen(p));
      for (let i = 0; i < n && unseen.length > 0; i++) {
        const j = this.rng.int(unseen.length);
        const p = unseen[j];
        unseen[j] = unseen[unseen.length - 1];
        unseen.pop();
        this.remember(p);
        out.push(p);
      }
      return out;
    }
    for (let tries = 0; out.length < n && tries < 1000 * n; tries++) {
      const p = this.sample(this.rng);
      if (this.seen(p) || !satisfiesAll(this.o.constraints, p)) continue;
      this.remember(p);
      out.push(p);
    }
    return out;
  }

  private fromModel(history: readonly Observation[], n: number): ParamPoint[] {
    const order = history.map((h, i) => ({ i, v: h.objective ?? -Infinity })).sort((a, b) => b.v - a.v || a.i - b.i);
    const goodCount = Math.max(1, Math.min(25, Math.ceil(0.2 * order.length)));
    const good = order.slice(0, goodCount).map((x) => history[x.i].params);
    const bad = order.slice(goodCount).map((x) => history[x.i].params);
    const dims = this.o.space.dimensions;
    const lModels = dims.map((d) => parzen(d, good));
    const gModels = dims.map((d) => parzen(d, bad));
    const candidates: Array<{ p: ParamPoint; score: number; k: number }> = [];
    for (let c = 0; c < CANDIDATES * n; c++) {
      const raw: Record<string, ParamValue> = {};
      let score = 0;
      dims.forEach((d, i) => {
        const v = lModels[i].draw(this.rng);
        raw[d.name] = v;
        score += lModels[i].logDensity(v) - gModels[i].logDensity(v);
      });
      candidates.push({ p: orderedPoint(this.o.space, raw), score, k: c });
    }
    candidates.sort((a, b) => b.score - a.score || a.k - b.k);
    const out: ParamPoint[] = [];
    for (const c of candidates) {
      if (out.length === n) break;
      if (this.seen(c.p) || !satisfiesAll(this.o.constraints, c.p)) continue;
      this.remember(c.p);
      out.push(c.p);
    }
    // The model's neighbourhood is exhausted (small discrete space): fill up at random.
    if (out.length < n) out.push(...this.randomUnseen(n - out.length));
    return out;
  }
}

interface Estimator {
  draw(rng: SeededRandom): ParamValue;
  logDensity(v: ParamValue): number;
}

/** A Parzen estimator of one parameter over the given trials, with a broad prior kernel so it never vanishes. */
function parzen(d: Dimension, points: readonly ParamPoint[]): Estimator {
  if (d.values && !d.ordered) return categorical(d.values, points.map((p) => p[d.name]));
  const m = points.length;
  // Bandwidth shrinks slowly with the number of points (Scott's m^(-1/5)), never below one grid cell.
  const cell = d.values ? 1 / d.values.length : 0;
  const sigma = Math.max(cell, 0.25 * Math.pow(1 + m, -0.2));
  const kernels: Kernel[] = [{ mu: 0.5, sigma: 1, weight: 1 }];
  for (const p of points) kernels.push({ mu: toUnit(d, p[d.name]), sigma, weight: 1 });
  const total = kernels.reduce((s, k) => s + k.weight, 0);
  return d.values ? discreteMixture(d.values, kernels, total) : continuousMixture(d, kernels, total);
}

/** Position of a value on [0, 1]: grid values at cell centres, continuous values linearly. */
function toUnit(d: Dimension, v: ParamValue): number {
  if (d.values) return (d.values.indexOf(v) + 0.5) / d.values.length;
  const span = d.to! - d.from!;
  return span > 0 ? ((v as number) - d.from!) / span : 0.5;
}

/** Mass a kernel truncated to [0, 1] puts on [a, b]. */
function mass(k: Kernel, a: number, b: number): number {
  const z = normalCdf((1 - k.mu) / k.sigma) - normalCdf((0 - k.mu) / k.sigma);
  return (normalCdf((b - k.mu) / k.sigma) - normalCdf((a - k.mu) / k.sigma)) / z;
}

/** A draw from a kernel truncated to [0, 1], by inverting its CDF. */
function drawKernel(k: Kernel, rng: SeededRandom): number {
  const lo = normalCdf((0 - k.mu) / k.sigma);
  const hi = normalCdf((1 - k.mu) / k.sigma);
  const u = k.mu + k.sigma * normalQuantile(lo + rng.next() * (hi - lo));
  return Math.min(1, Math.max(0, u));
}

function pickKernel(kernels: readonly Kernel[], total: number, rng: SeededRandom): Kernel {
  let r = rng.next() * total;
  for (const k of kernels) {
    r -= k.weight;
    if (r < 0) return k;
  }
  return kernels[kernels.length - 1];
}

function discreteMixture(values: readonly ParamValue[], kernels: readonly Kernel[], total: number): Estimator {
  const n = values.length;
  const probs = values.map((_, i) => kernels.reduce((s, k) => s + k.weight * mass(k, i / n, (i + 1) / n), 0) / total);
  return {
    draw: (rng) => values[Math.min(n - 1, Math.floor(drawKernel(pickKernel(kernels, total, rng), rng) * n))],
    logDensity: (v) => Math.log(Math.max(1e-300, probs[values.indexOf(v)])),
  };
}

function continuousMixture(d: Dimension, kernels: readonly Kernel[], total: number): Estimator {
  const span = d.to! - d.from!;
  return {
    draw: (rng) => d.from! + drawKernel(pickKernel(kernels, total, rng), rng) * span,
    logDensity: (v) => {
      const u = span > 0 ? ((v as number) - d.from!) / span : 0.5;
      let density = 0;
      for (const k of kernels) {
        const z = normalCdf((1 - k.mu) / k.sigma) - normalCdf((0 - k.mu) / k.sigma);
        density += (k.weight * Math.exp(-0.5 * ((u - k.mu) / k.sigma) ** 2)) / (k.sigma * Math.sqrt(2 * Math.PI) * z);
      }
      return Math.log(Math.max(1e-300, density / total));
    },
  };
}

/** Categories: (count + 1) / (m + k), a count with one pseudo-observation per category. */
function categorical(values: readonly ParamValue[], observed: readonly ParamValue[]): Estimator {
  const counts = values.map((v) => observed.filter((o) => o === v).length + 1);
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    draw: (rng) => {
      let r = rng.next() * total;
      for (let i = 0; i < values.length; i++) {
        r -= counts[i];
        if (r < 0) return values[i];
      }
      return values[values.length - 1];
    },
    logDensity: (v) => Math.log(counts[values.indexOf(v)] / total),
  };
}
