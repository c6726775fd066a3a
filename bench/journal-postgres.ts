import { MACHINE } from './machine.ts';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Durability, NewJournalEvent } from '../src/store/index.ts';
import { openPostgresJournal, resolvePostgresConfig, type PostgresConnectionOptions } from '../src/store/postgres/index.ts';
import { batched, concurrentSingles, orderFlow, unbatched, type Scenario } from './journal.ts';

/**
 * PostgreSQL journal append throughput, with the same realistic order flow and scenarios as the SQLite
 * figures (bench/journal.ts): intents, acceptances, fills with bigint fees, cancels, balances, read models
 * committed after the events on a connection of their own (the clock stops when they include every event).
 * Each run gets a fresh schema on the server (dropped afterwards); the server is KEEL_BENCH_POSTGRES_URL, else the PG* variables, else 127.0.0.1:5432/test. The figures
 * include the client-server round trip, which is what bounds unbatched appends.
 */
export interface PostgresJournalBenchResult {
  readonly journal: 'postgres';
  readonly durability: Durability;
  readonly mode: string;
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** Transactions the appends took (group commit). */
  readonly commits: number;
  /** Statements that folded the events into the read models. */
  readonly readModelCommits: number;
}

async function measure(connection: PostgresConnectionOptions, durability: Durability, mode: string, scenario: Scenario, events: readonly NewJournalEvent[]): Promise<PostgresJournalBenchResult> {
  const schema = `keel_bench_${randomBytes(4).toString('hex')}`;
  const journal = await openPostgresJournal({ connection, schema, durability });
  try {
    const t0 = performance.now();
    await scenario(journal, events);
    // The clock stops once the read models (committed after the events) include every event too.
    await journal.settleReadModels();
    const ms = performance.now() - t0;
    if ((await journal.lastSeq()) !== events.length) throw new Error('bench: the journal lost events');
    const { commits, readModelCommits } = journal.stats();
    return { journal: 'postgres', durability, mode, events: events.length, ms, eventsPerSecond: events.length / (ms / 1000), commits, readModelCommits };
  } finally {
    await journal.close();
    const c = resolvePostgresConfig(connection);
    const admin = new pg.Client({ host: c.host, port: c.port, database: c.database, user: c.user, password: c.password });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

/**
 * Run every scenario in both durability modes and print one line each. Unbatched appends are measured on
 * fewer events (each is a round trip and a commit).
 *
 * @example const results = await postgresJournalBench(MACHINE);
 */
export async function postgresJournalBench(machine: string, opts: { events?: number; connection?: PostgresConnectionOptions; log?: (line: string) => void } = {}): Promise<PostgresJournalBenchResult[]> {
  const total = opts.events ?? 100_000;
  const connection = opts.connection ?? (process.env.KEEL_BENCH_POSTGRES_URL ? { url: process.env.KEEL_BENCH_POSTGRES_URL }
    : process.env.PGHOST || process.env.KEEL_POSTGRES_URL ? {} : { url: 'postgres://postgres@127.0.0.1:5432/test' });
  const log = opts.log ?? console.log;
  const flow = orderFlow(total);
  const runs: Array<[Durability, string, Scenario, number]> = [
    ['process', 'batched, 1,000 events per append', batched, total],
    ['process', 'concurrent single-event appends', concurrentSingles, total],
    ['process', 'unbatched, each append awaited', unbatched, Math.min(total, 5_000)],
    ['machine', 'batched, 1,000 events per append', batched, total],
    ['machine', 'concurrent single-event appends', concurrentSingles, total],
    ['machine', 'unbatched, each append awaited', unbatched, Math.min(total, 2_000)],
  ];
  await measure(connection, 'process', 'warm-up', batched, flow.slice(0, 10_000)); // JIT the append path once
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const results: PostgresJournalBenchResult[] = [];
  for (const [durability, mode, scenario, n] of runs) {
    const r = await measure(connection, durability, mode, scenario, flow.slice(0, n));
    results.push(r);
    log(`journal append, PostgreSQL ${durability.padEnd(7)} ${mode.padEnd(34)} ${fmt(r.eventsPerSecond).padStart(9)} events/s (${fmt(r.events)} events in ${r.ms.toFixed(0)} ms, ${fmt(r.commits)} commits + ${fmt(r.readModelCommits)} read-model commits) [${machine}]`);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const machine = MACHINE;
  console.log(`machine: ${machine}`);
  await postgresJournalBench(machine, { events: Number(process.env.KEEL_BENCH_JOURNAL_EVENTS ?? 100_000) });
}
