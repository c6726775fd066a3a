import { QueueWorker } from '../../backtest/queue/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';

export const WORKER_HELP = `keel worker: run optimisation trials from a job queue (for keel optimize --queue / keel walkforward --queue)

  keel worker --queue redis://127.0.0.1:6379 [--queue-name keel-trials] [--concurrency 1]

  --queue redis://HOST:PORT  the Redis the coordinator enqueues on (redis://user:password@host:port/db)
  --queue-name NAME          queue to take trials from (default keel-trials)
  --concurrency N            trials at once, each on its own thread (default 1)
  --lock-ms MS               a job's lock; a killed worker's trials go back to the queue about this long
                             after it died (default 30000)
  --quiet                    print nothing but errors

The coordinator stores each sweep's data and settings in Redis, so a worker needs no data file. A strategy
or objective given as a file must exist at the same path relative to the worker's working directory, with
the same content (checked by sha256). Stops cleanly on SIGINT or SIGTERM after the trials in hand.
`;

const OPTIONS = {
  queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' },
  quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'worker');
  if (v.help) { process.stdout.write(WORKER_HELP); return 0; }
  const url = required(v.queue, '--queue', 'e.g. --queue redis://127.0.0.1:6379');
  const concurrency = numberFlag(v.concurrency ?? '1', '--concurrency', { integer: true, min: 1, max: 256 })!;
  const lockMs = numberFlag(v['lock-ms'] ?? '30000', '--lock-ms', { integer: true, min: 200 })!;
  const queueName = v['queue-name'] ?? 'keel-trials';
  const log = v.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const worker = await QueueWorker.start({ url, queueName, concurrency, lockMs, log });
  log(`keel worker: taking trials from queue ${queueName} (${concurrency} at a time); Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = (): void => { resolve(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('keel worker: stopping after the trials in hand');
  await worker.close();
  return 0;
}
