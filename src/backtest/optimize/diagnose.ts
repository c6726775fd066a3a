import { deflatedSharpe, sampleVariance, type DeflatedSharpe } from '../diagnostics/deflated-sharpe.ts';
import { cscv, type PboResult } from '../diagnostics/pbo.ts';
import { parameterStability, type Stability } from '../diagnostics/stability.ts';
import type { ParamSpace } from './param-space.ts';
import type { SweepOutcome } from './sweep.ts';

/** The overfitting diagnostics of one optimisation (docs/research.md says what each does and does not tell). */
export interface SweepDiagnostics {
  /** Trials that ran (a refused parameter set did not). */
  readonly trialsRun: number;
  readonly trialsFailed: number;
  readonly deflatedSharpe: DeflatedSharpe | null;
  /** CSCV; null with fewer than two trials or fewer returns than blocks (`pboSkipped` says why). */
  readonly pbo: Omit<PboResult, 'pairs'> | null;
  readonly pboSkipped: string | null;
  readonly stability: Stability | null;
}

/**
 * DSR of the best trial against all trials that ran, PBO by CSCV over their block moments, and the
 * stability of the optimum.
 *
 * @example const d = diagnoseSweep(outcome, space, 16); d.deflatedSharpe?.deflatedSharpe
 */
export function diagnoseSweep(outcome: SweepOutcome, space: ParamSpace, blocks: number): SweepDiagnostics {
  const ran = outcome.trials.filter((t) => t.moments !== null && t.blocks !== null);
  const best = outcome.best;
  const sharpes = ran.map((t) => t.moments!.sharpe);
  const dsr = best && best.moments
    ? deflatedSharpe({
      sharpe: best.moments.sharpe, trials: ran.length, sharpeVariance: sampleVariance(sharpes),
      observations: best.moments.count, skewness: best.moments.skewness, kurtosis: best.moments.kurtosis,
    })
    : null;
  let pbo: SweepDiagnostics['pbo'] = null;
  let pboSkipped: string | null = null;
  if (ran.length < 2) pboSkipped = 'needs at least two trials that ran';
  else if (ran[0].moments!.count < blocks * 2) pboSkipped = `needs at least ${blocks * 2} returns for ${blocks} blocks`;
  else {
    const { pairs: _pairs, ...rest } = cscv(ran.map((t) => t.blocks!), blocks);
    pbo = rest;
  }
  return {
    trialsRun: ran.length, trialsFailed: outcome.trials.length - ran.length, deflatedSharpe: dsr, pbo, pboSkipped,
    stability: parameterStability(space.dimensions, outcome.trials),
  };
}
