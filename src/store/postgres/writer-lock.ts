import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { LOCK_CLASS_WRITER } from './migrations.ts';

/**
 * One writer per journal schema. Two engines appending to one journal would each believe their own positions
 * and order ids (principle 5: never guess), so the second is refused at open rather than interleaved.
 *
 * The lock is a session-level advisory lock: PostgreSQL drops it when the holder's connection ends, so a
 * killed engine never leaves a stale lock behind (unlike a lock row or file). It also lets the writer keep
 * the last sequence in memory: nobody else can append while it holds the lock.
 */
export async function acquireWriterLock(client: pg.Client, schema: string, where: string): Promise<void> {
  const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS_WRITER, schema]);
  if (got.rows[0].ok) return;
  const holder = await client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_CLASS_WRITER, schema],
  );
  const h = holder.rows[0];
  const who = h ? `backend pid ${h.pid} (${h.application_name || 'no application name'}${h.client_addr ? ` from ${h.client_addr}` : ''}, connected ${h.backend_start.toISOString()})` : 'another session';
  throw new KeelError('JOURNAL_LOCKED', `is already open for writing by ${who}`, {
    field: 'journal', value: where, hint: 'one engine per journal: stop the other engine, use another schema, or open this one read-only',
  });
}

/**
 * A fenced writer (lease.ts) takes no advisory lock: an old active that is merely paused would hold it for
 * ever and block the takeover; the fencing epoch keeps it out instead. It still refuses to write beside an
 * engine that runs without a lease and holds the lock: it takes the lock and lets it go at once.
 */
export async function probeWriterLock(client: pg.Client, schema: string, where: string): Promise<void> {
  await acquireWriterLock(client, schema, where);
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS_WRITER, schema]);
}

/**
 * An engine without a lease must not write while an active/standby pair holds it (the pair's standby would
 * take over and interleave): refused with the holder's name, the advisory lock released again.
 */
export async function refuseIfLeaseHeld(client: pg.Client, schema: string, where: string): Promise<void> {
  const r = await client.query<{ holder: string; epoch: number }>(
    `SELECT holder, epoch FROM ${schema}.lease WHERE id = 1 AND holder IS NOT NULL AND expires_at > now()`,
  );
  const held = r.rows[0];
  if (held === undefined) return;
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS_WRITER, schema]);
  throw new KeelError('JOURNAL_LOCKED', `is held by the active/standby pair: node ${held.holder} holds the leader lease (epoch ${held.epoch})`, {
    field: 'journal', value: where, hint: 'start this engine with --role standby beside it, or stop the pair first',
  });
}
