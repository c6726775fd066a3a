import pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { describeServer, type PostgresConfig } from './config.ts';

const INT8_OID = 20;
const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Column parsers of the journal's connections (set per client, never on pg's global defaults, so other pg
 * users in the process are unaffected). bigint columns hold sequences, epoch ms and lots, all below 2^53, so
 * they come back as numbers, loudly refused if one ever is not. JSON comes back as text because JSON.parse
 * would turn Money bigints into imprecise floats; the event codec decodes it.
 */
const JOURNAL_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID) return parseSafeInteger;
    if (oid === JSON_OID || oid === JSONB_OID) return (text: string) => text;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function parseSafeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint column value ${text} is beyond 2^53; the journal stores only sequences, epoch ms and lots`);
  return n;
}

/** Network failures: the server is not there (as opposed to a server that answered and refused). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

/**
 * One connection to the journal's server, used by one journal. `pg` answers queries in order but would let a
 * second caller's statement run inside the first caller's transaction, so every use goes through
 * `exclusive()`, which runs callers one after the other. A lost connection breaks the session for good: the
 * outcome of the statement in flight is unknown and the engine must recover from the journal, not guess.
 */
export class PgSession {
  readonly config: PostgresConfig;
  /** "postgres://host:port/database", never with the password. */
  readonly server: string;
  private readonly client: pg.Client;
  private tail: Promise<unknown> = Promise.resolve();
  private brokenBy: KeelError | undefined;
  private closed = false;

  private constructor(client: pg.Client, config: PostgresConfig) {
    this.client = client;
    this.config = config;
    this.server = describeServer(config);
    client.on('error', (err) => this.breakWith(this.lost(err)));
  }

  /**
   * Connect, failing within the configured timeout with a one-line KeelError (JOURNAL_UNREACHABLE when
   * nothing answers, JOURNAL_CONNECT when the server refuses us) that names host, port and database only.
   */
  static async connect(config: PostgresConfig, applicationName = 'keel journal'): Promise<PgSession> {
    const client = new pg.Client({
      host: config.host, port: config.port, database: config.database, user: config.user, password: config.password,
      connectionTimeoutMillis: config.connectTimeoutMs, keepAlive: true, application_name: applicationName, types: JOURNAL_TYPES,
    });
    // An error emitted while connecting would otherwise crash the process as an unhandled 'error' event.
    const swallow = () => {};
    client.on('error', swallow);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(swallow);
      throw connectError(err, config);
    }
    client.off('error', swallow);
    return new PgSession(client, config);
  }

  /** Run `fn` alone on the connection, after every earlier caller finished. */
  exclusive<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this.brokenBy) throw this.brokenBy;
      if (this.closed) throw new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.server });
      try {
        return await fn(this.client);
      } catch (err) {
        throw this.translate(err);
      }
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /** One statement, alone on the connection. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return this.exclusive(async (c) => (await c.query<R>(text, values)).rows);
  }

  get broken(): KeelError | undefined {
    return this.brokenBy;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.tail;
    this.closed = true;
    await this.client.end().catch(() => {});
  }

  private breakWith(error: KeelError): KeelError {
    this.brokenBy ??= error;
    return this.brokenBy;
  }

  /** Connection-level failures break the session; statement errors (bad SQL, constraint) pass through. */
  private translate(err: unknown): unknown {
    if (err instanceof KeelError) return err;
    if (err instanceof pg.DatabaseError) {
      // Class 57P (operator intervention: server shutting down, session killed) and 08 (connection) end the session.
      if (err.code?.startsWith('57P') || err.code?.startsWith('08')) return this.breakWith(this.lost(err));
      return err;
    }
    if (!this.closed && !usable(this.client)) return this.breakWith(this.lost(err));
    return err;
  }

  private lost(err: unknown): KeelError {
    return new KeelError('JOURNAL_UNREACHABLE', `lost the connection to PostgreSQL (${reason(err)})`, {
      field: 'journal', value: this.server, hint: 'the last append may or may not be durable: restart the engine so it recovers from the journal',
    });
  }
}

/** pg has no public "is this client still usable" flag; these fields are what it checks itself before a query. */
function usable(client: pg.Client): boolean {
  const c = client as unknown as { _queryable?: boolean; _ending?: boolean };
  return c._queryable !== false && c._ending !== true;
}

/** Map a failed connect to one line naming where, never the password. */
export function connectError(err: unknown, config: PostgresConfig): KeelError {
  const server = describeServer(config);
  if (err instanceof pg.DatabaseError) {
    const hint = err.code === '28P01' || err.code === '28000'
      ? `check the user and password (PGUSER, PGPASSWORD or the URL) for user "${config.user}"`
      : err.code === '3D000' ? `create it (createdb ${config.database}) or point the journal at another database` : undefined;
    return new KeelError('JOURNAL_CONNECT', `PostgreSQL refused the connection: ${err.message}`, { field: 'journal', value: server, hint });
  }
  return new KeelError('JOURNAL_UNREACHABLE', `cannot reach PostgreSQL at ${config.host}:${config.port} (database "${config.database}"): ${reason(err)}`, {
    field: 'journal', value: server, hint: 'is the server running and listening there? check host, port, KEEL_POSTGRES_URL and PG* variables',
  });
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string } | undefined;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code && UNREACHABLE_CODES.has(e.code)) return e.code;
  const msg = e?.message ?? String(err);
  if (/timeout/i.test(msg)) return 'connect timeout';
  // Messages from the network layer never include the password, but keep them to their first line.
  return msg.split('\n')[0];
}
