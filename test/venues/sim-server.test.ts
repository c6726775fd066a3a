import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { resolve } from 'node:path';
import { parseMoney, type Bar, type Fill, type Instrument, type VenueReport } from '../../src/model/index.ts';
import { Kernel, SimClock } from '../../src/kernel/index.ts';
import { RiskEngine, type ApprovedOrder } from '../../src/risk/index.ts';
import { loadMarketData } from '../../src/data/index.ts';
import { Portfolio } from '../../src/portfolio/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import type { VenueSnapshot } from '../../src/execution/index.ts';
import type { OrderSpec } from '../../src/strategy/index.ts';
import { SimVenue, SocketVenue, percentFee, type VenueState } from '../../src/venues/index.ts';
import {
  DUPLICATE_ORDER_REASON, LineSplitter, decodeLine, encodeLine, startSimVenueServer, type ServerMessage,
} from '../../src/venues/sim-server/index.ts';
import { until } from '../helpers/wait.ts';

// The venue runs as its own process, as in the crash tests; bars are real (ORCL daily) and paced by wall time.
const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv');
const MAIN = resolve(ROOT, 'src/venues/sim-server/main.ts');
const CASH = '100000';
const BARS: readonly Bar[] = (() => {
  const d = loadMarketData(DATA);
  if (d.kind !== 'bars') throw new Error('ORCL file should hold bars');
  return d.bars;
})();
const BAR_INDEX = new Map(BARS.map((b, i) => [b.ts, i]));

async function startVenueProcess(t: TestContext, flags: string[]): Promise<number> {
  const child = spawn(process.execPath, [MAIN, '--data', DATA, '--port', '0', '--cash', CASH, '--commission-pct', '0.1', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { child.kill('SIGKILL'); });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening (\d+)\n/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.once('exit', (code) => rej(new Error(`venue server exited with ${code}: ${err}`)));
  });
}

/** A SocketVenue with everything it receives recorded. */
async function client(t: TestContext, port: number, account: string, onBar?: (index: number) => void) {
  const reports: VenueReport[] = [];
  const bars: number[] = [];
  const duplicates: string[] = [];
  let disconnected: string | undefined;
  let ended = false;
  const venue = await SocketVenue.connect('127.0.0.1', port, account, {
    sink: { onVenueReport: (r) => { reports.push(r); } },
    onDuplicate: (id) => { duplicates.push(id); },
  });
  venue.onMarket((bar) => { const i = BAR_INDEX.get(bar.ts)!; bars.push(i); onBar?.(i); });
  venue.onDisconnect((why) => { disconnected = why; });
  venue.ended.then(() => { ended = true; }, () => {});
  t.after(() => venue.close());
  const inst = venue.instrument;
  const risk = new RiskEngine({ instruments: [inst], clock: new SimClock(0) });
  let seq = 0;
  return {
    venue, reports, bars, duplicates, inst,
    welcome: () => venue.welcome,
    get disconnected() { return disconnected; },
    get ended() { return ended; },
    /** An order through a risk gate with no limits, as the engine would send it. */
    order(spec: OrderSpec, id = `${account}-${++seq}`): ApprovedOrder {
      const d = risk.evaluate(buildOrder(inst, spec, id, 's', 0));
      if (!d.approved) throw new Error(`gate refused ${id}: ${d.reason}`);
      return d.order;
    },
    acceptedAt(id: string): number | undefined {
      return reports.find((r) => r.type === 'order.accepted' && r.clientOrderId === id)?.ts;
    },
  };
}


/**
 * The same orders through the in-process SimVenue on the same bars: each handed over right after the bar the
 * server had last replayed when the order reached it (the time on its `accepted` report).
 */
function inProcess(inst: Instrument, untilBar: number, sent: Array<{ at: number; order: ApprovedOrder }>): VenueReport[] {
  const clock = new SimClock(BARS[0].ts);
  const kernel = new Kernel(clock);
  const reports: VenueReport[] = [];
  const venue = new SimVenue({ instruments: [inst], clock, queue: kernel.queue, sink: { onVenueReport: (r) => { reports.push(r); } }, fees: percentFee(0.1) });
  kernel.addHandler(venue);
  kernel.addHandler({ onMarketEvent: (e) => { for (const s of sent) if (s.at === e.ts) venue.submit(s.order); } });
  kernel.run([BARS.slice(0, untilBar)]);
  return reports;
}

/** As it looks after a trip over the wire (undefined fields dropped), for comparing with the in-process run. */
const wire = <T>(x: T): T => decodeLine(encodeLine(x)) as T;

const fillsOf = (reports: readonly VenueReport[]): Fill[] => reports.flatMap((r) => (r.type === 'order.filled' ? [r.fill] : []));

/** Cash and positions booked by the engine's own portfolio from the reference fills: what the venue must hold. */
function expectedBooks(inst: Instrument, fills: readonly Fill[]): { cash: bigint; lots: number } {
  const p = new Portfolio({ instruments: [inst], initialCash: parseMoney(CASH, 'cash') });
  for (const f of fills) p.applyFill(f);
  return { cash: p.cash, lots: p.position(inst.id).lots };
}

function sameBooks(state: VenueState, inst: Instrument, reference: readonly VenueReport[]): void {
  const fills = fillsOf(reference);
  assert.deepEqual(state.fills.map(({ venueSeq: _, ...f }) => f), wire(fills));
  assert.deepEqual(state.fills.map((f) => f.venueSeq), fills.map((_, i) => i + 1));
  const books = expectedBooks(inst, fills);
  assert.equal(state.cash, books.cash, 'cash is exact to the 10^-12 unit');
  assert.deepEqual(state.positions, books.lots === 0 && fills.length === 0 ? {} : { [inst.id]: books.lots });
}

test('orders over the socket fill as the in-process SimVenue fills them, reports and cash exact', async (t) => {
  const UNTIL = 40;
  const port = await startVenueProcess(t, ['--bar-ms', '15', '--until-bar', String(UNTIL)]);
  const sent: ApprovedOrder[] = [];
  const c = await client(t, port, 'A', (i) => {
    const close = BARS[i].close;
    const px = (f: number) => Math.round(close * f * 1e6) / 1e6;
    const send = (spec: OrderSpec) => { const o = c.order(spec); sent.push(o); c.venue.submit(o); };
    if (i === 2) {
      send({ side: 'buy', quantity: 1000 });
      send({ side: 'buy', quantity: 500, limitPrice: px(0.98) });
    } else if (i === 5) {
      send({ side: 'sell', quantity: 300, limitPrice: px(1.02) });
      send({ side: 'sell', quantity: 200, stopPrice: px(0.97) });
    } else if (i === 8) {
      send({ side: 'sell', quantity: 100 });
      send({ side: 'buy', notional: 1000 });
    }
  });
  assert.equal(c.welcome().nextBar, 0);
  c.venue.start();
  await until('the end of the market', () => c.ended);
  assert.deepEqual(c.bars, Array.from({ length: UNTIL }, (_, i) => i), 'every bar streamed once, in order');

  const reference = inProcess(c.inst, UNTIL, sent.map((order) => ({ at: c.acceptedAt(order.clientOrderId)!, order })));
  assert.deepEqual(c.reports, wire(reference));
  const fills = fillsOf(reference);
  assert.ok(fills.length >= 4, `expected the market, stop, cash-sized and some limit orders to fill, got ${fills.length} fills`);
  assert.deepEqual(new Set(fills.map((f) => f.liquidity)), new Set(['maker', 'taker']), 'a resting limit filled at its price, as maker');

  const state = await c.venue.query();
  const _reconcilable: VenueSnapshot = state; // the engine's reconciliation reads the answer as it is
  sameBooks(state, c.inst, reference);
  assert.equal(state.duplicateSubmits, 0);
  assert.equal(state.ended, true);
  assert.equal(state.lastBar, BARS[UNTIL - 1].ts);
  assert.deepEqual(state.orders.map((o) => o.clientOrderId), sent.map((o) => o.clientOrderId));
  const open = new Set(state.openOrders.map((o) => o.clientOrderId));
  for (const o of state.orders) assert.equal(open.has(o.clientOrderId), o.status === 'ACCEPTED' || o.status === 'PARTIALLY_FILLED', o.clientOrderId);
  assert.deepEqual(c.venue.openOrders().map((o) => o.clientOrderId).sort(), [...open].sort());
  const after = await c.venue.queryState(2);
  assert.deepEqual(after.fills.map((f) => f.venueSeq), state.fills.slice(2).map((f) => f.venueSeq), 'fillsAfter limits the fills');
});

test('a client order id the venue already has is refused, counted, and never makes a second order', async (t) => {
  const port = await startVenueProcess(t, ['--bar-ms', '15', '--until-bar', '200']);
  const c = await client(t, port, 'A');
  c.venue.start();
  const resting = c.order({ side: 'buy', quantity: 100, limitPrice: 1 }, 'd1'); // far below the market: rests
  c.venue.submit(resting);
  await until('d1 accepted', () => c.acceptedAt('d1') !== undefined);
  c.venue.submit(c.order({ side: 'buy', quantity: 7 }, 'd1')); // a different order under a used id
  await until('the duplicate refused', () => c.duplicates.length === 1);
  assert.deepEqual(c.duplicates, ['d1']);
  assert.equal(c.reports.some((r) => r.type === 'order.rejected'), false, 'a refused duplicate is not a rejection of the order it names');

  c.venue.replace(c.order({ side: 'buy', quantity: 100, limitPrice: 1.01 }, 'd1'));
  c.venue.replace(c.order({ side: 'buy', quantity: 5, limitPrice: 1.01 }, 'zz'));
  c.venue.cancel('nope'); // never used: nothing to report
  c.venue.cancel('d1');
  await until('d1 canceled', () => c.reports.some((r) => r.type === 'order.canceled'));
  assert.deepEqual(c.reports.map((r) => [r.type, r.clientOrderId]), [
    ['order.accepted', 'd1'], ['order.updated', 'd1'], ['order.update-rejected', 'zz'], ['order.canceled', 'd1'],
  ]);
  c.venue.submit(c.order({ side: 'buy', quantity: 3 }, 'd1')); // ids are never reused, even after the order ended
  await until('second duplicate', () => c.duplicates.length === 2);

  // A restarted engine resending its intent on a raw connection: the venue answers with the rejection itself.
  const raw = netConnect({ host: '127.0.0.1', port });
  t.after(() => raw.destroy());
  raw.setEncoding('utf8');
  const got: ServerMessage[] = [];
  const lines = new LineSplitter();
  raw.on('data', (d: string) => { for (const l of lines.push(d)) got.push(decodeLine(l) as ServerMessage); });
  raw.write(encodeLine({ op: 'hello', account: 'A' }) + encodeLine({ op: 'submit', order: resting }) + encodeLine({ op: 'query', id: 9 }));
  await until('the raw query answered', () => got.some((m) => m.op === 'state'));
  const report = got.find((m) => m.op === 'report');
  assert.deepEqual(report?.op === 'report' ? [report.report.type, report.report.clientOrderId, (report.report as { reason?: string }).reason] : undefined,
    ['order.rejected', 'd1', DUPLICATE_ORDER_REASON]);
  const state = got.find((m): m is VenueState => m.op === 'state')!;
  assert.equal(state.duplicateSubmits, 3);
  assert.deepEqual(state.orders, [{ clientOrderId: 'd1', status: 'CANCELED', filledLots: 0, venueOrderId: 'sim-1', reason: 'canceled on request' }]);
  assert.deepEqual(state.fills, []);
  assert.deepEqual(state.openOrders, []);
  await until('the old connection replaced', () => c.disconnected !== undefined);
  assert.equal(c.venue.connected, false);
});

test('orders rest and fill while no client is connected; the reconnecting client finds them in query', async (t) => {
  const UNTIL = 45;
  // A limit sell above every high of bars 4…j−1 that bar j trades through: it can only fill at bar j (≥ 20).
  let j = -1, level = -Infinity;
  for (let k = 4; k < UNTIL && j < 0; k++) {
    if (k >= 20 && BARS[k].high > level && BARS[k].open < level) j = k;
    level = j < 0 ? Math.max(level, BARS[k].high) : level;
  }
  assert.ok(j > 0, 'the data has a new high after bar 20');
  const port = await startVenueProcess(t, ['--bar-ms', '20', '--until-bar', String(UNTIL)]);
  const sent: ApprovedOrder[] = [];
  const first = await client(t, port, 'A', (i) => {
    if (i !== 3) return;
    for (const spec of [{ side: 'buy', quantity: 400 }, { side: 'sell', quantity: 400, limitPrice: level }] as OrderSpec[]) {
      const o = first.order(spec);
      sent.push(o);
      first.venue.submit(o);
    }
  });
  first.venue.start();
  await until('both orders accepted', () => sent.length === 2 && sent.every((o) => first.acceptedAt(o.clientOrderId) !== undefined));
  await first.venue.close(); // the engine goes away; the market does not wait
  const closedAfter = first.bars.at(-1)!;
  assert.ok(closedAfter < j - 5, `closed at bar ${closedAfter}, long before bar ${j}`);

  await new Promise((r) => setTimeout(r, (j + 3 - closedAfter) * 20 + 50));
  const second = await client(t, port, 'A');
  assert.ok(second.welcome().nextBar > j, `reconnected at bar ${second.welcome().nextBar}, after bar ${j}`);
  const state = await second.venue.query();
  const limitId = sent[1].clientOrderId;
  const sold = state.fills.filter((f) => f.clientOrderId === limitId);
  assert.equal(sold.length, 1);
  assert.equal(sold[0].ts, BARS[j].ts, 'filled on bar j, while nobody was connected');
  assert.equal(sold[0].price, Math.round(level * 1e6), 'at its limit');
  assert.equal(sold[0].liquidity, 'maker');
  assert.equal(first.reports.some((r) => r.type === 'order.filled' && r.clientOrderId === limitId), false);
  assert.deepEqual(state.orders.map((o) => [o.clientOrderId, o.status]), sent.map((o) => [o.clientOrderId, 'FILLED']));
  assert.deepEqual(state.positions, { [second.inst.id]: 0 });

  await until('the end of the market', () => second.ended);
  assert.equal(second.bars[0], second.welcome().nextBar, 'bars replayed while away are not re-sent');
  const reference = inProcess(second.inst, UNTIL, sent.map((order) => ({ at: first.acceptedAt(order.clientOrderId)!, order })));
  sameBooks(await second.venue.query(), second.inst, reference);

  // A third connection for the account takes it over (a restarted engine); the second is closed.
  const third = await client(t, port, 'A');
  assert.equal(third.welcome().ended, true);
  await until('the second connection replaced', () => second.disconnected !== undefined);
  await until('the end told to the newcomer', () => third.ended);
  assert.equal((await third.venue.query()).cash, state.cash);
});

test('in-process: stats count bars, orders, fills and refused duplicates; malformed orders are refused with a reason', async (t) => {
  const server = await startSimVenueServer({ dataPath: DATA, barIntervalMs: 5, untilBar: 10, initialCash: parseMoney(CASH, 'cash'), fees: percentFee(0.1) });
  t.after(() => server.close());
  assert.equal(server.instrument.id, 'ORCL');
  assert.equal(server.instrument.priceTick, '0.000001', 'the tick defaults to the finest price in the file');
  const c = await client(t, server.port, 'B');
  const errors: string[] = [];
  const raw = netConnect({ host: '127.0.0.1', port: server.port });
  t.after(() => raw.destroy());
  raw.setEncoding('utf8');
  const lines = new LineSplitter();
  raw.on('data', (d: string) => { for (const l of lines.push(d)) { const m = decodeLine(l) as ServerMessage; if (m.op === 'error') errors.push(m.message); } });
  raw.write('{"op":"start"}\nnot json\n' + encodeLine({ op: 'hello', account: 'C' }) + encodeLine({ op: 'submit', order: { clientOrderId: '' } }));
  await until('errors for the raw client', () => errors.length === 3);
  assert.match(errors[0], /say hello first/);
  assert.match(errors[1], /not a JSON object/);
  assert.match(errors[2], /clientOrderId must be a non-empty string/);

  c.venue.submit({ ...c.order({ side: 'buy', quantity: 10 }, 'bad'), quantity: 0 } as ApprovedOrder);
  c.venue.submit(c.order({ side: 'buy', quantity: 10 }, 'm1'));
  c.venue.submit(c.order({ side: 'buy', quantity: 10 }, 'm1'));
  c.venue.start();
  await until('the end of the market', () => c.ended);
  const bad = c.reports.find((r) => r.clientOrderId === 'bad');
  assert.deepEqual(bad?.type === 'order.rejected' ? bad.reason : bad, 'quantity must be a whole number of lots ≥ 1');
  assert.deepEqual(server.stats(), {
    barsReplayed: 10, started: true, ended: true, accounts: 2, connectedAccounts: 2, orders: 1, fills: 1, duplicateSubmits: 1,
  });
  // The order sent before the market opened traded on its first bar, at the open.
  const fill = fillsOf(c.reports)[0];
  assert.equal(fill.ts, BARS[0].ts);
  assert.equal(fill.price, Math.round(BARS[0].open * 1e6));
});
