import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { LocalPool, type TrialResult } from '../optimize/index.ts';
import { connectQueueRedis, redisOptions } from './connect.ts';
import { QUEUE_PREFIX, type JobData } from './queue-executor.ts';
import { parseQueueUrl } from './queue-url.ts';
import { loadSweep } from './sweep-store.ts';

export interface QueueWorkerOptions {
  readonly url: string;
  readonly queueName: string;
  /** Trials run at once, each on its own worker thread (default 1). */
  readonly concurrency: number;
  /**
   * How long a job's lock lasts without renewal. A killed worker's trials return to the queue about this
   * long after it died; the lock is renewed every half of it while a trial runs (the trial itself runs on a
   * worker thread, so this process's event loop stays free to renew).
   */
  readonly lockMs: number;
  readonly log?: (line: string) => void;
}

/** Sweeps a worker keeps ready (spec, data, threads) at once; older ones are closed. */
const KEEP_SWEEPS = 2;

/**
 * A `keel worker` process: takes trial jobs from the queue, runs them through the same worker-thread pool a
 * local sweep uses (fetching each sweep's spec and data from Redis once), returns the results.
 */
export class QueueWorker {
  private readonly worker: Worker<JobData, TrialResult[]>;
  private readonly redis: Redis;
  private readonly pools = new Map<string, Promise<LocalPool>>();
  private readonly o: QueueWorkerOptions;

  private constructor(o: QueueWorkerOptions, redis: Redis) {
    this.o = o;
    this.redis = redis;
    const conn = parseQueueUrl(o.url);
    this.worker = new Worker<JobData, TrialResult[]>(o.queueName, (job) => this.process(job), {
      connection: redisOptions(conn), prefix: QUEUE_PREFIX, concurrency: o.concurrency,
      lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: 3, autorun: true,
    });
    this.worker.on('error', (err) => o.log?.(`worker: ${err.message.split('\n')[0]}`));
  }

  /** Connect (one clear line when Redis is down) and start taking jobs. */
  static async start(o: QueueWorkerOptions): Promise<QueueWorker> {
    const redis = await connectQueueRedis(parseQueueUrl(o.url));
    const w = new QueueWorker(o, redis);
    await w.worker.waitUntilReady();
    return w;
  }

  private async process(job: Job<JobData, TrialResult[]>): Promise<TrialResult[]> {
    const pool = await this.poolFor(job.data.sweepId);
    return pool.run(job.data.tasks);
  }

  private poolFor(sweepId: string): Promise<LocalPool> {
    let p = this.pools.get(sweepId);
    if (p === undefined) {
      p = (async () => {
        const { spec, series } = await loadSweep(this.redis, sweepId);
        this.o.log?.(`sweep ${sweepId}: ${spec.strategy.ref} on ${series.count.toLocaleString('en-US')} ${series.kind}s of ${series.instrumentId}`);
        return new LocalPool(spec, series, this.o.concurrency);
      })();
      p.catch(() => this.pools.delete(sweepId));
      this.pools.set(sweepId, p);
      while (this.pools.size > KEEP_SWEEPS) {
        const [oldest, pool] = this.pools.entries().next().value!;
        this.pools.delete(oldest);
        void pool.then((x) => x.close()).catch(() => {});
      }
    }
    return p;
  }

  /** Finish the jobs in hand, then stop. */
  async close(): Promise<void> {
    await this.worker.close();
    for (const p of this.pools.values()) await p.then((x) => x.close()).catch(() => {});
    await this.redis.quit().catch(() => {});
  }
}
