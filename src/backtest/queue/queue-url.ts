import { KeelError } from '../../model/index.ts';

/** Connection options for ioredis/BullMQ, parsed from a `redis://` URL. */
export interface QueueConnection {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls?: Record<string, never>;
  /** The URL with any password replaced by `***`: the only form that is ever printed. */
  readonly shown: string;
}

/**
 * Parse `--queue redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
 *
 * @example parseQueueUrl('redis://:s3cret@127.0.0.1:6379/2').shown // 'redis://:***@127.0.0.1:6379/2'
 */
export function parseQueueUrl(text: string, field = '--queue'): QueueConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeelError('BAD_QUEUE_URL', 'is not a URL', { field, value: redactQueueUrl(text), hint: 'e.g. redis://127.0.0.1:6379' });
  }
  const shown = redactQueueUrl(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new KeelError('BAD_QUEUE_URL', `has scheme ${url.protocol.replace(':', '')}; only redis:// and rediss:// queues are supported`, { field, value: shown });
  }
  if (!url.hostname) throw new KeelError('BAD_QUEUE_URL', 'names no host', { field, value: shown });
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new KeelError('BAD_QUEUE_URL', `has database "${dbText}"; expected a number`, { field, value: shown });
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''), port, db, shown,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The URL with the password (anything between `:` and `@` after the scheme) replaced by `***`; works on
 * strings that do not even parse as URLs, so a malformed URL with a secret in it is never echoed.
 *
 * @example redactQueueUrl('redis://u:p@h:1') // 'redis://u:***@h:1'
 */
export function redactQueueUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
