import { MACHINE } from './machine.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineInstrument, type Fill, type OrderEvent } from '../src/model/index.ts';
import { buildOrder } from '../src/backtest/index.ts';
import { openSqliteJournal, type Durability, type Journal, type NewJournalEvent } from '../src/store/index.ts';

/**
 * Journal append throughput (DESIGN.md target: SQLite batched >= 200,000 events/s) with the events a
 * trading engine journals: per order an intent, the venue's acceptance, one or two fills (a bigint fee)
 * or a cancel, and now and then an account balance. Every figure includes the read models, which commit
 * after the events in transactions of their own (the clock stops when they include every event). The
 * journal lives in a temp directory on the machine's disk.
 */
export interface JournalBenchResult {
  readonly journal: 'sqlite';
  readonly durability: Durability;
  readonly mode: string;
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** Transactions the appends took (group commit). */
  readonly commits: number;
  /** Transactions that folded the events into the read models. */
  readonly readModelCommits: number;
}

/** A realistic stream of `count` engine events, as the JournalWriter hands them to the journal. */
export function orderFlow(count: number): NewJournalEvent[] {
  const inst = defineInstrument({ id: 'ORCL', priceTick: '0.01' });
  const stream = { account: 'paper', strategy: 'sma-cross', instrument: 'ORCL' };
  const version = 'sha256:9f2c4e0d1a7b {"fast":10,"slow":30}';
  const out: NewJournalEvent[] = [];
  const push = (e: OrderEvent | { type: string; ts: number }, s: NewJournalEvent['stream'] = stream) => out.push({ ts: e.ts, stream: s, type: e.type, payload: e, version });
  for (let n = 0; out.length < count; n++) {
    const id = `sma-cross-${String(n).padStart(8, '0')}`;
    const ts = 1_700_000_000_000 + n * 1000;
    const qty = 100 + (n % 7) * 50;
    const side = n % 2 === 0 ? 'buy' : 'sell';
    const order = buildOrder(inst, { side, quantity: qty, limitPrice: n % 3 === 0 ? undefined : 45 + (n % 40) / 100, tag: 'entry' }, id, 'sma-cross', ts);
    push({ type: 'order.submitted', ts, order });
    push({ type: 'order.accepted', ts: ts + 3, clientOrderId: id, venueOrderId: `V${n}` });
    if (n % 10 === 9) {
      push({ type: 'order.canceled', ts: ts + 40, clientOrderId: id, reason: 'by strategy' });
      continue;
    }
    const fill = (tradeId: string, q: number, at: number): Fill => ({
      clientOrderId: id, venueOrderId: `V${n}`, tradeId, strategyId: 'sma-cross', instrumentId: 'ORCL', side, quantity: q as Fill['quantity'],
      price: (4534 + (n % 17)) as Fill['price'], fee: BigInt(q) * 4_534_000_000_000n / 1000n, liquidity: 'taker', ts: at, decisionPrice: 4530 as Fill['price'],
    });
    const first = n % 2 === 0 ? qty / 2 : qty;
    push({ type: 'order.filled', ts: ts + 5, clientOrderId: id, fill: fill(`T${n}a`, first, ts + 5), leavesQuantity: (qty - first) as Fill['quantity'] });
    if (first < qty) push({ type: 'order.filled', ts: ts + 9, clientOrderId: id, fill: fill(`T${n}b`, qty - first, ts + 9), leavesQuantity: 0 as Fill['quantity'] });
    if (n % 20 === 0) {
      out.push({
        ts: ts + 10, stream: { account: 'paper' }, type: 'account.balance',
        payload: { currency: 'USD', cash: 100_000_000_000_000_000n - BigInt(n) * 1_000_000n, equity: 100_000_000_000_000_000n, realizedPnl: BigInt(n) * 7_000_000n },
      });
    }
  }
  return out.slice(0, count);
}

export type Scenario = (j: Journal, events: readonly NewJournalEvent[]) => Promise<void>;

/** 1,000 events per append call, each call awaited (a replay, a bulk import, a busy engine's batch). */
export const batched: Scenario = async (j, events) => {
  for (let i = 0; i < events.length; i += 1000) await j.append(events.slice(i, i + 1000));
};

/** One event per call, 1,000 calls in flight at once: the engine's pattern, batched by group commit alone. */
export const concurrentSingles: Scenario = async (j, events) => {
  for (let i = 0; i < events.length; i += 1000) {
    const calls: Array<Promise<unknown>> = [];
    for (let k = i; k < Math.min(events.length, i + 1000); k++) calls.push(j.append([events[k]]));
    await Promise.all(calls);
  }
};

/** One event per call, each awaited before the next: every event is its own transaction (and fsync). */
export const unbatched: Scenario = async (j, events) => {
  for (const e of events) await j.append([e]);
};

/** Best of `rounds` runs, each on a fresh journal file (the machine may be shared: the best run is the code's cost). */
async function measure(durability: Durability, mode: string, scenario: Scenario, events: readonly NewJournalEvent[], rounds: number): Promise<JournalBenchResult> {
  let best: JournalBenchResult | undefined;
  for (let r = 0; r < rounds; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'keel-bench-journal-'));
    try {
      const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite'), durability });
      const t0 = performance.now();
      await scenario(journal, events);
      // The clock stops once the read models (committed after the events) include every event too.
      await journal.settleReadModels();
      const ms = performance.now() - t0;
      const { commits, readModelCommits } = journal.stats();
      if ((await journal.lastSeq()) !== events.length) throw new Error('bench: the journal lost events');
      await journal.close();
      if (best === undefined || ms < best.ms) best = { journal: 'sqlite', durability, mode, events: events.length, ms, eventsPerSecond: events.length / (ms / 1000), commits, readModelCommits };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return best!;
}

/**
 * Run every scenario in both durability modes and print one line each (best of `rounds`, default 3).
 * Unbatched appends are measured on fewer events (each is a commit; with `machine` durability each is an fsync).
 *
 * @example const results = await journalBench(MACHINE);
 */
export async function journalBench(machine: string, opts: { events?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<JournalBenchResult[]> {
  const total = opts.events ?? 200_000;
  const rounds = opts.rounds ?? 3;
  const log = opts.log ?? console.log;
  const flow = orderFlow(total);
  const runs: Array<[Durability, string, Scenario, number]> = [
    ['process', 'batched, 1,000 events per append', batched, total],
    ['process', 'concurrent single-event appends', concurrentSingles, total],
    ['process', 'unbatched, each append awaited', unbatched, Math.min(total, 20_000)],
    ['machine', 'batched, 1,000 events per append', batched, total],
    ['machine', 'concurrent single-event appends', concurrentSingles, total],
    ['machine', 'unbatched, each append awaited', unbatched, Math.min(total, 2_000)],
  ];
  await measure('process', 'warm-up', batched, flow.slice(0, 20_000), 1); // JIT the append path once
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const results: JournalBenchResult[] = [];
  for (const [durability, mode, scenario, n] of runs) {
    const r = await measure(durability, mode, scenario, flow.slice(0, n), rounds);
    results.push(r);
    log(`journal append, SQLite ${durability.padEnd(7)} ${mode.padEnd(34)} ${fmt(r.eventsPerSecond).padStart(9)} events/s (${fmt(r.events)} events in ${r.ms.toFixed(0)} ms, ${fmt(r.commits)} commits + ${fmt(r.readModelCommits)} read-model commits) [${machine}]`);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const machine = MACHINE;
  console.log(`machine: ${machine}`);
  await journalBench(machine, { events: Number(process.env.KEEL_BENCH_JOURNAL_EVENTS ?? 200_000) });
}
