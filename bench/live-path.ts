import { MACHINE } from './machine.ts';
import { percentiles } from './latency.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineInstrument, parseMoney, type Bar, type VenueReport } from '../src/model/index.ts';
import { Strategy } from '../src/strategy/index.ts';
import pg from 'pg';
import { openSqliteJournal, type Journal } from '../src/store/index.ts';
import { openPostgresJournal } from '../src/store/postgres/index.ts';
import { runPaperEngine } from '../src/runtime/index.ts';
import type { VenueSession } from '../src/venues/index.ts';
import type { ApprovedOrder } from '../src/risk/index.ts';

/**
 * Market event in → order handed to the venue adapter, on the live path (DESIGN.md target p99 ≤ 200 µs,
 * journal write included): the real paper engine (risk gate with every check of a default config, OMS,
 * write-ahead to a SQLite journal, portfolio) with a strategy that trades on every bar. The clock starts when
 * the venue session hands a bar to the engine and stops when the engine calls the adapter's `submit`, which
 * is after the order's intent is durable in the journal (write-ahead). The venue answers each order
 * (accepted, filled) on the next turn of the event loop, the way a socket would.
 */
class EveryBar extends Strategy<{}> {
  static override params = {};
  override onBar(_bar: Bar): void {
    if (this.hasOpenOrders()) return;
    this.submit({ side: this.isLong() ? 'sell' : 'buy', quantity: 1 });
  }
}

const INSTRUMENT = defineInstrument({ id: 'ACME', priceTick: '0.01' });

function pacedVenue(bars: number, samples: number[]): VenueSession {
  let onMarket: (bar: Bar) => void = () => {};
  let onReport: (r: VenueReport) => void = () => {};
  let t0 = 0;
  let i = 0;
  let fill = 0;
  let finish: () => void = () => {};
  const ended = new Promise<void>((res) => { finish = res; });
  const next = (): void => {
    if (i >= bars) { finish(); return; }
    const ts = 1_700_000_000_000 + i * 60_000;
    const px = 100 + (i % 10) / 100;
    const bar: Bar = { type: 'bar', instrumentId: INSTRUMENT.id, ts, open: px, high: px, low: px, close: px, volume: 1000, intervalMs: 60_000 } as Bar;
    i++;
    t0 = performance.now();
    onMarket(bar);
    // An order goes out once its intent is durable (a commit later); the next bar waits for the venue's answer.
    setTimeout(next, 0);
  };
  return {
    name: 'bench',
    submit(order: ApprovedOrder) {
      samples.push((performance.now() - t0) * 1000);
      const ts = 1_700_000_000_000 + i * 60_000;
      setImmediate(() => {
        const id = order.clientOrderId;
        onReport({ type: 'order.accepted', ts, clientOrderId: id, venueOrderId: `V-${id}` });
        onReport({
          type: 'order.filled', ts, clientOrderId: id, leavesQuantity: 0 as never,
          fill: { clientOrderId: id, venueOrderId: `V-${id}`, tradeId: `T${++fill}`, strategyId: order.strategyId, instrumentId: order.instrumentId, side: order.side, quantity: order.quantity, price: 10_000 as never, fee: 0n, liquidity: 'taker', ts, decisionPrice: undefined },
        });
      });
    },
    cancel() {}, replace() {},
    onMarket(h) { onMarket = h; }, onReport(h) { onReport = h; }, onDisconnect() {},
    query: async () => ({ orders: [], fills: [], positions: {}, cash: parseMoney('1000000', 'cash'), ts: 1_700_000_000_000 }),
    start() { setTimeout(next, 0); },
    ended, close: async () => {},
  };
}

/**
 * The live-path figure, with the SQLite journal (default) or PostgreSQL (`journal: 'postgres'`, or
 * KEEL_BENCH_LIVE_JOURNAL=postgres when run alone; a fresh schema on KEEL_BENCH_POSTGRES_URL, default the
 * local server, dropped afterwards).
 */
export async function livePathBench(machine: string, opts: { bars?: number; log?: (line: string) => void; journal?: 'sqlite' | 'postgres' } = {}): Promise<{ p50: number; p99: number; orders: number }> {
  const bars = opts.bars ?? 20_000;
  const kind = opts.journal ?? 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'keel-live-path-'));
  const url = process.env.KEEL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `keel_live_path_${process.pid}`;
  try {
    const journal: Journal = kind === 'postgres' ? await openPostgresJournal({ connection: { url }, schema }) : await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const samples: number[] = [];
    try {
      await runPaperEngine({
        account: 'bench', strategyId: 'every-bar', strategyClass: EveryBar, params: {}, strategyVersion: 'bench', instrument: INSTRUMENT,
        initialCash: parseMoney('1000000', 'cash'), sizing: { kind: 'units', units: 1 }, journal, venue: pacedVenue(bars, samples),
      });
    } finally {
      await journal.close();
    }
    const { p50, p99 } = percentiles(samples);
    const r = { p50, p99, orders: samples.length };
    opts.log?.(`market event → order handed to the venue adapter, ${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} write-ahead included: p50 ${r.p50.toFixed(0)} µs, p99 ${r.p99.toFixed(0)} µs (target p99 ≤ 200; ${r.orders.toLocaleString('en-US')} orders, first 10% as warm-up) [${machine}]`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
    }
  }
}

// `node bench/live-path.ts` runs this benchmark alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const machine = MACHINE;
  await livePathBench(machine, { log: (l) => console.log(l), journal: process.env.KEEL_BENCH_LIVE_JOURNAL === 'postgres' ? 'postgres' : 'sqlite' });
}
