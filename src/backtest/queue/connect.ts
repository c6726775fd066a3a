import { Redis } from 'ioredis';
import { KeelError } from '../../model/index.ts';
import type { QueueConnection } from './queue-url.ts';

/** How long to wait for Redis to answer before calling the queue unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;

/** ioredis options for BullMQ (which needs `maxRetriesPerRequest: null` on its blocking connections). */
export function redisOptions(c: QueueConnection): Record<string, unknown> {
  return {
    host: c.host, port: c.port, db: c.db, maxRetriesPerRequest: null,
    ...(c.username ? { username: c.username } : {}), ...(c.password ? { password: c.password } : {}), ...(c.tls ? { tls: c.tls } : {}),
  };
}

/**
 * Open a plain client and check Redis answers PING; fails fast with one line naming the (redacted) URL when
 * it does not: refused, timed out, or refused our password. The error never carries the password.
 *
 * @example const redis = await connectQueueRedis(parseQueueUrl('redis://127.0.0.1:6379'));
 */
export async function connectQueueRedis(c: QueueConnection, field = '--queue'): Promise<Redis> {
  const client = new Redis({ ...redisOptions(c), lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => { lastError = err; });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    const e = (lastError ?? err) as NodeJS.ErrnoException;
    const why = e.code ?? (/WRONGPASS|NOAUTH|invalid password/i.test(e.message) ? 'authentication failed' : /timeout/i.test(e.message) ? 'timed out' : 'no answer');
    throw new KeelError('QUEUE_UNREACHABLE', `cannot be reached (${why})`, { field, value: c.shown, hint: 'is Redis running there? start it, or check the URL' });
  }
  // After the check, behave like a long-lived client: reconnect instead of giving up.
  client.options.retryStrategy = (times: number) => Math.min(times * 200, 2_000);
  client.options.maxRetriesPerRequest = null;
  return client;
}
