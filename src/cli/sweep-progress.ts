import { describePoint, short, type TrialResult } from '../backtest/optimize/index.ts';
import { progressLine, type ProgressStream } from './progress.ts';

/**
 * The progress line of a sweep on a terminal: trials done, rate, ETA and the best trial so far.
 *
 *   optimize [########------------]  42%  73/174  54/s  ETA 2s  best sharpe 0.504 (fast=35 slow=140)
 *
 * Nothing is drawn when stderr is not a TTY. Redrawn at most ten times a second.
 */
export function createSweepProgress(o: { total: number; label: string; objective: string; stream?: ProgressStream; enabled?: boolean }) {
  const stream = o.stream ?? process.stderr;
  const enabled = o.enabled ?? stream.isTTY === true;
  const started = performance.now();
  let lastDraw = -Infinity;
  let drawn = false;
  let total = o.total;
  let text = '';
  const line = (done: number, best: TrialResult | undefined, final: boolean): string => {
    const b = best?.objective !== undefined && best?.objective !== null ? `  best ${o.objective} ${short(best.objective)} (${describePoint(best.params)})` : '';
    return progressLine(`${o.label} `, done, total, performance.now() - started, final) + b;
  };
  return {
    /** Raise the total (walk-forward adds windows' trials as it goes). */
    setTotal(n: number): void { total = n; },
    update(done: number, best: TrialResult | undefined): void {
      if (!enabled) return;
      const now = performance.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      text = line(done, best, false);
      stream.write(`\r${text}\x1b[K`);
      drawn = true;
    },
    finish(done: number, best: TrialResult | undefined): void {
      if (enabled && drawn) stream.write(`\r${line(done, best, true)}\x1b[K\n`);
    },
  };
}
