import { MACHINE } from './machine.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineInstrument, parseMoney, type Fill, type OrderEvent } from '../src/model/index.ts';
import { Portfolio } from '../src/portfolio/index.ts';
import { BUILT_IN_STRATEGIES } from '../src/strategy/index.ts';
import { openSqliteJournal, type NewJournalEvent } from '../src/store/index.ts';
import { runPaperEngine, type PaperRunSummary } from '../src/runtime/index.ts';
import type { VenueSnapshot } from '../src/execution/index.ts';
import type { VenueSession } from '../src/venues/index.ts';
import { orderFlow } from './journal.ts';

/**
 * Restart-to-reconciled time (DESIGN.md target: ≤ 2 s after a crash) with a 1,000,000-event SQLite journal:
 * open the journal, restore the latest engine snapshot, replay the tail, query the venue, reconcile, journal
 * the result. Measured twice: without a snapshot (the whole journal replayed; that start saves one) and
 * after 10,000 more events on top of that snapshot. The venue is an in-process answer holding exactly the
 * state the events imply (computed here independently through a Portfolio), so the verdict must be ACTIVE.
 */
const INSTRUMENT = defineInstrument({ id: 'ORCL', priceTick: '0.01' });
const CASH = '1000000000';

/** What the venue holds after `events`: open orders, position and cash, folded independently of the engine. */
function venueAfter(events: readonly NewJournalEvent[]): VenueSnapshot {
  const portfolio = new Portfolio({ instruments: [INSTRUMENT], initialCash: parseMoney(CASH, 'cash') });
  const open = new Map<string, VenueSnapshot['orders'][number]>();
  for (const { payload } of events) {
    const e = payload as OrderEvent;
    if (e.type === 'order.submitted') open.set(e.order.clientOrderId, { clientOrderId: e.order.clientOrderId, status: 'SUBMITTED' });
    else if (e.type === 'order.accepted') open.set(e.clientOrderId, { clientOrderId: e.clientOrderId, status: 'ACCEPTED', venueOrderId: e.venueOrderId });
    else if (e.type === 'order.filled') {
      portfolio.applyFill(e.fill);
      if (e.leavesQuantity === 0) open.delete(e.clientOrderId);
      else open.set(e.clientOrderId, { clientOrderId: e.clientOrderId, status: 'PARTIALLY_FILLED' });
    } else if (e.type === 'order.canceled') open.delete(e.clientOrderId);
  }
  return {
    orders: [...open.values()], fills: [], positions: { [INSTRUMENT.id]: portfolio.position(INSTRUMENT.id).lots }, cash: portfolio.cash,
    ts: events[events.length - 1].ts + 1,
  };
}

/** The venue's side of a restart: it answers the reconciliation query; nothing trades. */
function answeringVenue(state: VenueSnapshot): VenueSession {
  return {
    name: 'bench', submit() {}, cancel() {}, replace() {}, onMarket() {}, onReport() {}, onDisconnect() {}, start() {},
    query: async () => state, ended: Promise.resolve(), close: async () => {},
  };
}

async function restart(path: string, venue: VenueSnapshot): Promise<{ ms: number; summary: PaperRunSummary }> {
  const t0 = performance.now();
  const journal = await openSqliteJournal({ path });
  try {
    const summary = await runPaperEngine({
      account: 'paper', strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params: { fast: 10, slow: 30 },
      strategyVersion: 'bench', instrument: INSTRUMENT, initialCash: parseMoney(CASH, 'cash'), sizing: { kind: 'units', units: 100 },
      journal, venue: answeringVenue(venue), reconcileOnly: true,
    });
    const ms = performance.now() - t0;
    if (summary.reconciliation.verdict !== 'ACTIVE') throw new Error(`restart bench: reconciliation disagreed:\n${summary.reconciliation.lines.join('\n')}`);
    return { ms, summary };
  } finally {
    await journal.close();
  }
}

export interface RestartBenchResult {
  readonly events: number;
  readonly fullReplayMs: number;
  readonly fromSnapshotMs: number;
  readonly tailEvents: number;
}

export async function restartBench(machine: string, opts: { events?: number; tail?: number; log?: (line: string) => void } = {}): Promise<RestartBenchResult> {
  const count = opts.events ?? 1_000_000;
  const tail = opts.tail ?? 10_000;
  const log = opts.log ?? (() => {});
  const started: NewJournalEvent = {
    ts: 1_699_999_999_000, stream: { account: 'paper' }, type: 'engine.started', payload: { initialCash: parseMoney(CASH, 'cash'), instrument: INSTRUMENT.id },
  };
  const flow = orderFlow(count + tail - 1);
  const head = [started, ...flow.slice(0, count - 1)];
  const rest = flow.slice(count - 1);
  const dir = mkdtempSync(join(tmpdir(), 'keel-restart-bench-'));
  const path = join(dir, 'journal.sqlite');
  try {
    const j = await openSqliteJournal({ path });
    for (let i = 0; i < head.length; i += 50_000) await j.append(head.slice(i, i + 50_000));
    await j.close();
    const full = await restart(path, venueAfter(head));
    const fmt = (n: number) => n.toLocaleString('en-US');
    log(`restart to reconciled, ${fmt(count)}-event SQLite journal, no snapshot: ${full.ms.toFixed(0)} ms (${fmt(full.summary.replayedEvents)} order events replayed) [${machine}]`);

    const k = await openSqliteJournal({ path });
    await k.append(rest);
    await k.close();
    const warm = await restart(path, venueAfter([...head, ...rest]));
    if (warm.summary.fromSnapshot === undefined) throw new Error('restart bench: the second start did not use the snapshot');
    log(`restart to reconciled, same + ${fmt(tail)} events after its snapshot: ${warm.ms.toFixed(0)} ms (target ≤ 2,000; ${fmt(warm.summary.replayedEvents)} order events replayed) [${machine}]`);
    return { events: count, fullReplayMs: full.ms, fromSnapshotMs: warm.ms, tailEvents: tail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node bench/restart.ts` runs this benchmark alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const machine = MACHINE;
  await restartBench(machine, { events: Number(process.env.KEEL_BENCH_EVENTS ?? 1_000_000), log: (l) => console.log(l) });
}
