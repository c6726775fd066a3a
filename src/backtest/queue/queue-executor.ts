import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { KeelError } from '../../model/index.ts';
import type { PackedSeries, SweepSpec, TrialExecutor, TrialResult, TrialTask } from '../optimize/index.ts';
import { connectQueueRedis, redisOptions } from './connect.ts';
import { parseQueueUrl, type QueueConnection } from './queue-url.ts';
import { storeSweep } from './sweep-store.ts';

/** Key prefix of every BullMQ structure Keel makes. */
export const QUEUE_PREFIX = 'keel';
/** Retries of a trial whose worker failed (not of a trial whose strategy refused its parameters: that is a result). */
const ATTEMPTS = 3;
/** How often to look for results the event stream may have missed, and to say we are still waiting. */
const POLL_MS = 2_000;
const QUIET_WARNING_MS = 30_000;

/** One job: a few trials of a sweep (batched so Redis's per-job cost does not dominate short trials). */
export interface JobData {
  readonly sweepId: string;
  readonly tasks: readonly TrialTask[];
}

/** Most trials per job; fewer when a batch is small, so every worker gets some (a TPE batch is 8). */
export const MAX_TRIALS_PER_JOB = 8;

/** Split tasks into jobs of at most MAX_TRIALS_PER_JOB, at least four jobs when there are four tasks. */
export function chunkTasks(tasks: readonly TrialTask[]): TrialTask[][] {
  const size = Math.max(1, Math.min(MAX_TRIALS_PER_JOB, Math.ceil(tasks.length / 4)));
  const out: TrialTask[][] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(tasks.slice(i, i + size));
  return out;
}

export interface QueueExecutorOptions {
  readonly url: string;
  readonly queueName: string;
  readonly spec: SweepSpec;
  readonly series: PackedSeries;
  readonly seriesHash: string;
  /** Progress notes for a human (where the trials went, waiting for workers). */
  readonly log?: (line: string) => void;
}

/**
 * Connect to Redis (one clear line when it is down), store the sweep's spec and data once, and return an
 * executor that enqueues trials as BullMQ jobs and collects the results `keel worker` processes return.
 */
export async function openQueueExecutor(o: QueueExecutorOptions): Promise<QueueExecutor> {
  const conn = parseQueueUrl(o.url);
  const redis = await connectQueueRedis(conn);
  const sweepId = randomUUID();
  await storeSweep(redis, sweepId, o.spec, o.series, o.seriesHash);
  const executor = new QueueExecutor(conn, redis, o.queueName, sweepId, o.log ?? (() => {}));
  await executor.ready();
  return executor;
}

/**
 * Trials as jobs on a BullMQ queue. A killed worker's jobs are not lost: its lock lapses, a live worker's
 * stalled-job check puts them back on the queue, and they run again elsewhere (trials are deterministic, so
 * a rerun gives the same result). Results are collected from the queue's event stream, with a poll of the
 * jobs as a safety net, and returned in task order.
 */
export class QueueExecutor implements TrialExecutor {
  readonly parallelism = 1;
  readonly description: string;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly sweepId: string;
  private readonly log: (line: string) => void;
  private readonly waiting = new Map<string, { resolve: (r: TrialResult[]) => void; reject: (e: Error) => void }>();
  private announced = false;
  /** Runs so far: job ids must stay unique across runs (walk-forward windows reuse trial ids). */
  private runs = 0;

  constructor(conn: QueueConnection, redis: Redis, queueName: string, sweepId: string, log: (line: string) => void) {
    const connection = redisOptions(conn);
    this.queue = new Queue(queueName, { connection, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(queueName, { connection, prefix: QUEUE_PREFIX });
    this.redis = redis;
    this.sweepId = sweepId;
    this.log = log;
    this.description = `queue ${queueName} on ${conn.shown}`;
    // Errors of the long-lived connections are reconnection noise; a real outage shows as no progress.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const w = this.waiting.get(jobId);
      if (w) w.resolve((typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as TrialResult[]);
    });
    this.events.on('failed', ({ jobId, failedReason }) => { void this.onFailed(jobId, failedReason); });
  }

  async ready(): Promise<void> {
    // The event stream is read from "now": be listening before the first job goes in.
    await this.events.waitUntilReady();
    await this.queue.waitUntilReady();
  }


  private async onFailed(jobId: string, reason: string): Promise<void> {
    const w = this.waiting.get(jobId);
    if (!w) return;
    // A failure with attempts left goes back to wait/delayed; only a final failure stops the sweep.
    const state = await this.queue.getJobState(jobId);
    if (state === 'failed') w.reject(new KeelError('TRIAL_FAILED', `a queue worker could not run trials: ${reason}`, { field: '--queue', value: this.description }));
  }

  async run(tasks: readonly TrialTask[], onResult?: (r: TrialResult) => void): Promise<TrialResult[]> {
    const run = this.runs++;
    const chunks = chunkTasks(tasks);
    const jobIds = chunks.map((_, i) => `${this.sweepId}-${run}-${i}`);
    const results = new Map<number, TrialResult>();
    let lastProgress = Date.now();
    const done = new Promise<void>((resolveAll, rejectAll) => {
      if (tasks.length === 0) { resolveAll(); return; }
      chunks.forEach((_chunk, i) => {
        this.waiting.set(jobIds[i], {
          resolve: (rs) => {
            if (!this.waiting.delete(jobIds[i])) return;
            lastProgress = Date.now();
            for (const r of rs) {
              results.set(r.id, r);
              onResult?.(r);
            }
            if (results.size === tasks.length) resolveAll();
          },
          reject: rejectAll,
        });
      });
    });
    await this.queue.addBulk(chunks.map((chunk, i) => ({
      name: 'trials', data: { sweepId: this.sweepId, tasks: chunk } satisfies JobData,
      opts: { jobId: jobIds[i], attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: { age: 3_600 }, removeOnFail: { age: 86_400 } },
    })));
    if (!this.announced) {
      this.announced = true;
      this.log(`${this.description}: trials enqueued; keel worker processes run them`);
    }
    let warned = false;
    const timer = setInterval(() => {
      void this.poll();
      if (!warned && Date.now() - lastProgress > QUIET_WARNING_MS) {
        warned = true;
        this.log(`${this.description}: no trial finished for ${QUIET_WARNING_MS / 1000} s; is a keel worker running on this queue?`);
      }
    }, POLL_MS);
    try {
      await done;
    } finally {
      clearInterval(timer);
      for (const id of jobIds) this.waiting.delete(id);
    }
    return tasks.map((t) => results.get(t.id)!);
  }

  /** Pick up completions whose event was missed (e.g. during a reconnect). */
  private async poll(): Promise<void> {
    for (const [jobId, w] of [...this.waiting]) {
      const job = await this.queue.getJob(jobId).catch(() => undefined);
      if (job?.finishedOn && Array.isArray(job.returnvalue)) w.resolve(job.returnvalue as TrialResult[]);
    }
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
    await this.redis.quit().catch(() => {});
  }
}
