import type { TrialContext, TrialResult, TrialTask } from './trial.ts';
import { runTrial } from './trial.ts';

/**
 * Where trials run: in this thread, on a pool of worker threads, or on queue workers anywhere. A sweep only
 * sees this port, so grid, random and TPE search, and walk-forward, work the same on all of them.
 */
export interface TrialExecutor {
  /** How many trials can run at once (sizes TPE's batches only for speed, never its results). */
  readonly parallelism: number;
  /**
   * Run the tasks; `onResult` hears each result as it arrives (any order). Resolves with every result, in
   * task order.
   */
  run(tasks: readonly TrialTask[], onResult?: (r: TrialResult) => void): Promise<TrialResult[]>;
  close(): Promise<void>;
}

/**
 * Runs trials one after another in the calling thread: for tests, for walk-forward's out-of-sample runs and
 * for one-core benchmarks without thread start-up.
 *
 * @example const results = await new InlineExecutor(ctx).run([{ id: 0, params: { fast: 10, slow: 30 } }]);
 */
export class InlineExecutor implements TrialExecutor {
  readonly parallelism = 1;
  private readonly ctx: TrialContext;

  constructor(ctx: TrialContext) {
    this.ctx = ctx;
  }

  async run(tasks: readonly TrialTask[], onResult?: (r: TrialResult) => void): Promise<TrialResult[]> {
    const out: TrialResult[] = [];
    for (const t of tasks) {
      const r = runTrial(this.ctx, t);
      out.push(r);
      onResult?.(r);
    }
    return out;
  }

  async close(): Promise<void> {}
}
