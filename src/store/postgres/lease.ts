import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { checkSchemaName, resolvePostgresConfig, type PostgresConnectionOptions } from './config.ts';
import { PgSession } from './connection.ts';
import { migrate } from './migrations.ts';

/** The leader lease as stored, with its times relative to the server's clock (never a node's). */
export interface LeaseState {
  readonly epoch: number;
  /** The node holding it (null: never taken, or released). */
  readonly holder: string | null;
  /** Where the holder's API listens, as it said (for the standby's dashboard). */
  readonly holderApi: string | null;
  /** ms until it expires (negative: expired that long ago; null: not held). */
  readonly expiresInMs: number | null;
  /** ms since the holder last renewed it (null: not held). */
  readonly renewedAgoMs: number | null;
}

/** A node of the pair as it last reported itself (`ha_nodes`). */
export interface HaNodeRow {
  readonly node: string;
  readonly role: 'active' | 'standby' | 'stepped-down';
  readonly epoch: number | null;
  /** The last journal sequence it had seen. */
  readonly seenSeq: number;
  readonly api: string | null;
  /** ms since it last reported. */
  readonly heartbeatAgoMs: number;
}

export interface LeaderLeaseOptions {
  readonly connection?: PostgresConnectionOptions;
  /** The journal's schema: the lease lives beside the events it fences. */
  readonly schema?: string;
  /** This node's name (unique within the pair; e.g. host:pid). */
  readonly node: string;
}

/**
 * The leader lease of an active/standby pair on one PostgreSQL journal (DESIGN.md "Scale-out"): one row with
 * a monotonically increasing fencing epoch, the holder and an expiry in the server's time. The active renews
 * it every few hundred ms; when it stops (killed, paused, cut off) the lease expires and the standby takes it
 * over, which bumps the epoch. Every statement the active's journal makes checks that its epoch is still the
 * lease's (journal.ts `fencing`), so an old active that wakes up writes nothing and sends nothing.
 *
 * On a connection of its own, so that a journal busy with a big batch never delays a renewal.
 *
 * @example
 * const lease = await LeaderLease.open({ connection: { url }, schema: 'keel_live', node: 'a' });
 * const won = await lease.acquire(3000, 'http://127.0.0.1:7070');
 * if (won) setInterval(() => void lease.renew(won.epoch, 3000), 1000);
 */
export class LeaderLease {
  readonly node: string;
  private readonly session: PgSession;
  private readonly schema: string;
  readonly location: string;

  private constructor(session: PgSession, schema: string, node: string) {
    this.session = session;
    this.schema = schema;
    this.node = node;
    this.location = `${session.server} schema ${schema}`;
  }

  /** Connect and make sure the schema has the lease (migrating a journal, or creating an empty one). */
  static async open(o: LeaderLeaseOptions): Promise<LeaderLease> {
    const schema = checkSchemaName(o.schema ?? 'keel');
    if (!/^[\w.:@-]{1,100}$/.test(o.node)) {
      throw new KeelError('BAD_HA_CONFIG', 'must be 1 to 100 letters, digits or . : @ - _', { field: 'ha.node', value: o.node });
    }
    const session = await PgSession.connect(resolvePostgresConfig(o.connection), `keel lease ${o.node}`);
    try {
      await session.exclusive(async (c) => {
        // A takeover waits for a fenced statement in flight, never for ever.
        await c.query("SET lock_timeout = '2s'");
        // And a node paused inside its own acquire (the lease row locked FOR UPDATE) must not stall the
        // active's fenced appends behind that lock: the server ends such a transaction after 2 s.
        await c.query("SET idle_in_transaction_session_timeout = '2s'");
        await migrate(c, schema, session.server);
      });
    } catch (err) {
      await session.close();
      throw err;
    }
    return new LeaderLease(session, schema, o.node);
  }

  /** The lease as it stands now. */
  async state(): Promise<LeaseState> {
    return this.session.exclusive((c) => readState(c, this.schema));
  }

  /**
   * Take the lease if nobody holds it or the holder's has expired: the epoch goes up by one and the lease is
   * this node's for `leaseMs`. Resolves with the new epoch and the lease as it was before; undefined while
   * another node holds a live lease.
   */
  async acquire(leaseMs: number, api?: string): Promise<{ readonly epoch: number; readonly previous: LeaseState } | undefined> {
    return this.session.exclusive(async (c) => {
      await c.query('BEGIN');
      try {
        const previous = await readState(c, this.schema, true);
        if (previous.holder !== null && previous.expiresInMs !== null && previous.expiresInMs > 0) {
          await c.query('ROLLBACK');
          return undefined;
        }
        const r = await c.query<{ epoch: number }>(
          `UPDATE ${this.schema}.lease SET epoch = epoch + 1, holder = $1, holder_api = $2, renewed_at = clock_timestamp(),
             expires_at = clock_timestamp() + $3::int * interval '1 millisecond' WHERE id = 1 RETURNING epoch`,
          [this.node, api ?? null, leaseMs],
        );
        await c.query('COMMIT');
        return { epoch: r.rows[0].epoch, previous };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  /** Extend this node's lease by `leaseMs` from now; false when the epoch moved on (another node took over). */
  async renew(epoch: number, leaseMs: number, api?: string): Promise<boolean> {
    const r = await this.session.query(
      `UPDATE ${this.schema}.lease SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $3::int * interval '1 millisecond',
         holder_api = coalesce($4, holder_api) WHERE id = 1 AND epoch = $1 AND holder = $2 RETURNING epoch`,
      [epoch, this.node, leaseMs, api ?? null],
    );
    return r.length === 1;
  }

  /** Give the lease up at a clean stop (the standby takes over at its next look); the epoch stays. */
  async release(epoch: number): Promise<void> {
    await this.session.query(`UPDATE ${this.schema}.lease SET holder = NULL, expires_at = NULL WHERE id = 1 AND epoch = $1 AND holder = $2`, [epoch, this.node]);
  }

  /** Record this node's role and how far it has seen the journal (the active shows the standby's lag from it). */
  async report(role: HaNodeRow['role'], epoch: number | null, seenSeq: number, api?: string): Promise<void> {
    await this.session.query(
      `INSERT INTO ${this.schema}.ha_nodes (node, role, epoch, seen_seq, api, heartbeat_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (node) DO UPDATE SET role = excluded.role, epoch = excluded.epoch, seen_seq = excluded.seen_seq, api = excluded.api, heartbeat_at = excluded.heartbeat_at`,
      [this.node, role, epoch, seenSeq, api ?? null],
    );
  }

  /** Every node that reported within `withinMs`. */
  async nodes(withinMs = 60_000): Promise<HaNodeRow[]> {
    const rows = await this.session.query<{ node: string; role: HaNodeRow['role']; epoch: number | null; seen_seq: number; api: string | null; ago: number }>(
      `SELECT node, role, epoch, seen_seq, api, (extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::int AS ago
         FROM ${this.schema}.ha_nodes WHERE heartbeat_at > clock_timestamp() - $1::int * interval '1 millisecond' ORDER BY node`,
      [withinMs],
    );
    return rows.map((r) => ({ node: r.node, role: r.role, epoch: r.epoch, seenSeq: r.seen_seq, api: r.api, heartbeatAgoMs: r.ago }));
  }

  /** The journal's last committed sequence, as this connection sees it (the standby's tail). */
  async lastSeq(): Promise<number> {
    const r = await this.session.query<{ seq: number }>(`SELECT coalesce(max(seq), 0)::bigint AS seq FROM ${this.schema}.events`);
    return r[0].seq;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

async function readState(c: pg.Client, schema: string, forUpdate = false): Promise<LeaseState> {
  const r = await c.query<{ epoch: number; holder: string | null; holder_api: string | null; expires_in: number | null; renewed_ago: number | null }>(
    `SELECT epoch, holder, holder_api,
            (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::int AS expires_in,
            (extract(epoch FROM clock_timestamp() - renewed_at) * 1000)::int AS renewed_ago
       FROM ${schema}.lease WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`,
  );
  const row = r.rows[0];
  const held = row.holder !== null;
  return { epoch: row.epoch, holder: row.holder, holderApi: row.holder_api, expiresInMs: held ? row.expires_in : null, renewedAgoMs: held ? row.renewed_ago : null };
}
