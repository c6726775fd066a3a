import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { KeelError } from '../../model/index.ts';
import type { TrialExecutor } from './executor.ts';
import type { PackedSeries } from './series-buffer.ts';
import type { SweepSpec, TrialResult, TrialTask } from './trial.ts';
import type { TrialWorkerData } from './trial-worker.ts';

const WORKER_FILE = new URL('./trial-worker.ts', import.meta.url).href;

/** Worker threads on this machine; default one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Runs trials on a pool of worker threads (piscina). Each thread gets the spec and the shared series once and
 * keeps them for every trial. Results come back in task order whatever order the threads finish in.
 *
 * @example
 * const pool = new LocalPool(spec, packSeries(events), 2);
 * const results = await pool.run(tasks, (r) => progress.tick(++done));
 * await pool.close();
 */
export class LocalPool implements TrialExecutor {
  readonly parallelism: number;
  private readonly pool: Piscina;

  constructor(spec: SweepSpec, series: PackedSeries, threads: number = defaultWorkers()) {
    this.parallelism = threads;
    const workerData: TrialWorkerData = { spec, series };
    this.pool = new Piscina({ filename: WORKER_FILE, workerData, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  }

  async run(tasks: readonly TrialTask[], onResult?: (r: TrialResult) => void): Promise<TrialResult[]> {
    try {
      return await Promise.all(tasks.map(async (t) => {
        const r = (await this.pool.run(t)) as TrialResult;
        onResult?.(r);
        return r;
      }));
    } catch (err) {
      // A KeelError thrown while a thread set up (strategy file mismatch, objective file) crosses the thread
      // boundary as a plain Error with the same message: keep it a one-line user error.
      if (err instanceof Error && (err as { code?: unknown }).code === undefined && err.name === 'KeelError') throw new KeelError('WORKER_FAILED', err.message);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
