import { KeelError } from '../../model/index.ts';

/**
 * Where the PostgreSQL journal lives. Give a `url` (postgres://user:password@host:port/database) or the
 * separate fields; anything missing comes from the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
 * PGPASSWORD) or `KEEL_POSTGRES_URL`, then the defaults 127.0.0.1:5432, user postgres, database = user.
 *
 * @example
 * openPostgresJournal({ connection: { host: '127.0.0.1', database: 'test' }, schema: 'keel' });
 */
export interface PostgresConnectionOptions {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** Give up connecting after this long (default 3000 ms): an engine must learn fast that it cannot journal. */
  readonly connectTimeoutMs?: number;
}

/** Fully resolved connection settings. The password is kept out of every message and `describe()`. */
export interface PostgresConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string | undefined;
  readonly connectTimeoutMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/** "postgres://host:port/database", safe to print: no user secrets, no password. */
export function describeServer(c: PostgresConfig): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `postgres://${host}:${c.port}/${c.database}`;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Merge options, environment and defaults. Explicit options win over the URL, the URL over the environment.
 * Throws KeelError BAD_JOURNAL_CONFIG for a malformed URL or port, never echoing a password.
 */
export function resolvePostgresConfig(options: PostgresConnectionOptions = {}, env: Env = process.env): PostgresConfig {
  const fromUrl = options.url !== undefined ? parseUrl(options.url, 'url')
    : env.KEEL_POSTGRES_URL ? parseUrl(env.KEEL_POSTGRES_URL, 'KEEL_POSTGRES_URL') : {};
  const user = options.user ?? fromUrl.user ?? nonEmpty(env.PGUSER) ?? 'postgres';
  const port = options.port ?? fromUrl.port ?? (nonEmpty(env.PGPORT) !== undefined ? parsePort(env.PGPORT!, 'PGPORT') : 5432);
  checkPort(port, 'port');
  const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'must be a positive number of milliseconds', { field: 'connectTimeoutMs', value: timeout });
  }
  return {
    host: options.host ?? fromUrl.host ?? nonEmpty(env.PGHOST) ?? '127.0.0.1',
    port,
    database: options.database ?? fromUrl.database ?? nonEmpty(env.PGDATABASE) ?? user,
    user,
    password: options.password ?? fromUrl.password ?? nonEmpty(env.PGPASSWORD),
    connectTimeoutMs: timeout,
  };
}

/**
 * A schema name is spliced into SQL as an identifier, so only plain lower-case identifiers are accepted:
 * no quoting games, and the name means the same thing in psql.
 */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema) || schema.startsWith('pg_')) {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'is not a usable schema name', {
      field: 'schema', value: schema, hint: 'use lower-case letters, digits and _, at most 63 characters, not starting with pg_',
    });
  }
  return schema;
}

interface UrlParts { host?: string; port?: number; database?: string; user?: string; password?: string }

function parseUrl(raw: string, field: string): UrlParts {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'is not a URL', { field, value: redact(raw), hint: 'use postgres://user:password@host:5432/database' });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'must start with postgres://', { field, value: redact(raw) });
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname ? url.hostname.replace(/^\[(.*)\]$/, '$1') : undefined,
    port: url.port ? parsePort(url.port, field) : undefined,
    database: database || undefined,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/** The URL with any password replaced, for error messages. */
function redact(raw: string): string {
  return raw.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

function parsePort(raw: string, field: string): number {
  const port = Number(raw);
  checkPort(port, field, raw);
  return port;
}

function checkPort(port: number, field: string, shown: unknown = port): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'is not a TCP port', { field, value: shown, hint: 'use 1..65535, PostgreSQL listens on 5432 by default' });
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
