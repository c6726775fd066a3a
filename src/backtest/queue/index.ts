/**
 * Sweeps beyond one machine: trials as BullMQ jobs on Redis. `openQueueExecutor` is the coordinator's side
 * (a `TrialExecutor`), `QueueWorker` the `keel worker` process. Imported only by the commands that use a
 * queue, so nothing else loads BullMQ.
 */
export { openQueueExecutor, QueueExecutor, QUEUE_PREFIX, MAX_TRIALS_PER_JOB, chunkTasks, type JobData, type QueueExecutorOptions } from './queue-executor.ts';
export { QueueWorker, type QueueWorkerOptions } from './queue-worker.ts';
export { parseQueueUrl, redactQueueUrl, type QueueConnection } from './queue-url.ts';
export { connectQueueRedis } from './connect.ts';
export { storeSweep, loadSweep, STORE_TTL_S } from './sweep-store.ts';
