/**
 * The worker-thread side of a local sweep (loaded by piscina in each thread of `LocalPool`). The sweep spec
 * and the packed series arrive once as `workerData`; the series is a SharedArrayBuffer, so every thread reads
 * the coordinator's memory and unpacks it into events once, then runs trial after trial on them.
 */
import { workerData } from 'node:worker_threads';
import { unpackSeries, type PackedSeries } from './series-buffer.ts';
import { buildTrialContext, runTrial, type SweepSpec, type TrialResult, type TrialTask } from './trial.ts';

export interface TrialWorkerData {
  readonly spec: SweepSpec;
  readonly series: PackedSeries;
}

const data = workerData as TrialWorkerData;
const ready = buildTrialContext(data.spec, unpackSeries(data.series));
// Keep a failed start-up from becoming an unhandled rejection before the first task awaits it.
ready.catch(() => {});

export default async function runTask(task: TrialTask): Promise<TrialResult> {
  return runTrial(await ready, task);
}
