import type { Fill, OrderStatus, VenueReport } from '../../model/index.ts';
import type { VenueSnapshot } from '../../execution/index.ts';
import { parseCash, parseLots, fillFromActivity, keelStatus, strategyOfClientOrderId, ALPACA_FINAL, type SymbolMapping } from './mapping.ts';
import { keelIdOf, type OrderTracker } from './order-tracker.ts';
import type { AlpacaRest } from './rest-client.ts';
import type { AlpacaFillActivity, AlpacaOrder } from './wire.ts';

/**
 * The adapter's two REST reads of the whole account: the catch-up after the trade stream was down (reports
 * the engine missed, in order, through the order tracker so nothing is reported twice), and the snapshot
 * `query()` returns for reconciliation.
 */

/** Venue timestamps are only as good as the clocks; look this much further back than the gap to be safe. */
const MARGIN_MS = 5_000;

/**
 * What happened between `from` and now: fills first (oldest first), then each order's latest state.
 * Orders that finished before `from` are history, not news.
 */
export async function catchUpReports(rest: AlpacaRest, tracker: OrderTracker, from: number, emit: (r: VenueReport[]) => void): Promise<void> {
  const working = tracker.working().map((t) => t.request?.createdAt ?? from);
  const ordersAfter = Math.min(from, ...working) - MARGIN_MS;
  const orders = await rest.orders({ status: 'all', after: iso(ordersAfter) });
  const byId = new Map(orders.map((o) => [o.id, o]));
  const fills = await rest.fills(iso(from - MARGIN_MS));
  for (const a of sortFills(fills)) {
    const order = byId.get(a.order_id) ?? await rest.order(a.order_id);
    if (!order) continue;
    byId.set(order.id, order);
    emit(tracker.onFillActivity(a, order));
  }
  for (const o of orders) {
    const changed = Date.parse(o.updated_at ?? o.created_at ?? '') || Number.MAX_SAFE_INTEGER;
    if (ALPACA_FINAL.has(o.status) && changed < from - MARGIN_MS && !tracker.get(keelIdOf(o.client_order_id))) continue;
    emit(tracker.onOrderState(o));
  }
}

/** Fill activities of the orders in a replace chain, to settle one order (e.g. after an unknown outcome). */
export async function fillsOfOrder(rest: AlpacaRest, order: AlpacaOrder): Promise<AlpacaFillActivity[]> {
  const since = Date.parse(order.created_at ?? order.submitted_at ?? '') || 0;
  const keel = keelIdOf(order.client_order_id);
  const all = await rest.fills(iso(since - 24 * 3600_000));
  const chain = new Set([order.id]);
  const orders = new Map<string, AlpacaOrder>();
  for (const a of all) {
    if (chain.has(a.order_id) || orders.has(a.order_id)) continue;
    const o = await rest.order(a.order_id);
    if (o) orders.set(o.id, o);
    if (o && keelIdOf(o.client_order_id) === keel) chain.add(o.id);
  }
  return sortFills(all.filter((a) => chain.has(a.order_id)));
}

/** How many times a snapshot is re-read when the account moved while it was being read. */
const SNAPSHOT_TRIES = 5;

/**
 * Everything Alpaca holds for the account: orders (open, and closed since `since`) by Keel client order id,
 * fills since `since`, positions in lots, cash exact. Alpaca has no atomic read of all of it: positions and
 * cash are read before and after the orders and fills, and the whole read repeats when they moved in between
 * (a fill landed mid-read), so reconciliation never compares a position from before a fill with cash from after.
 */
export async function snapshotOf(rest: AlpacaRest, mappings: readonly SymbolMapping[], since: number, venueNow: number, onProblem: (m: string) => void): Promise<VenueSnapshot> {
  const mappingOf = symbolLookup(mappings);
  let before = await balancesOf(rest, mappingOf, () => {});
  for (let attempt = 1; ; attempt++) {
    // Problems are told once, for the read that is returned.
    const problems: string[] = [];
    const { orders, fills } = await ordersAndFills(rest, mappingOf, since, (m) => problems.push(m));
    const after = await balancesOf(rest, mappingOf, (m) => problems.push(m));
    const settled = sameBalances(before, after);
    if (settled || attempt === SNAPSHOT_TRIES) {
      if (!settled) problems.push(`the account kept moving while it was read (${SNAPSHOT_TRIES} tries); reconciling against the last read`);
      for (const m of problems) onProblem(m);
      return { orders, fills, positions: after.positions, cash: after.cash, ts: venueNow };
    }
    before = after;
  }
}

interface Balances { readonly positions: Record<string, number>; readonly cash: ReturnType<typeof parseCash> }

async function balancesOf(rest: AlpacaRest, mappingOf: (s: string) => SymbolMapping | undefined, onProblem: (m: string) => void): Promise<Balances> {
  const positions: Record<string, number> = {};
  for (const p of await rest.positions()) {
    const m = mappingOf(p.symbol);
    if (!m) {
      onProblem(`position in ${p.symbol}: symbol not configured; left out of the snapshot`);
      continue;
    }
    positions[m.instrument.id] = parseLots(m.instrument, p.qty, `position ${p.symbol} qty`, true);
  }
  const account = await rest.account();
  return { positions, cash: parseCash(account.cash, 'account.cash') };
}

function sameBalances(a: Balances, b: Balances): boolean {
  if (a.cash !== b.cash) return false;
  const ids = new Set([...Object.keys(a.positions), ...Object.keys(b.positions)]);
  for (const id of ids) if ((a.positions[id] ?? 0) !== (b.positions[id] ?? 0)) return false;
  return true;
}

async function ordersAndFills(rest: AlpacaRest, mappingOf: (s: string) => SymbolMapping | undefined, since: number, onProblem: (m: string) => void): Promise<Pick<VenueSnapshot, 'orders' | 'fills'>> {
  const recent = await rest.orders({ status: 'all', after: iso(since) });
  const open = await rest.orders({ status: 'open' });
  const byId = new Map<string, AlpacaOrder>();
  for (const o of [...recent, ...open]) byId.set(o.id, o);
  // One entry per Keel order: the latest link of its replace chain.
  const latest = new Map<string, AlpacaOrder>();
  for (const o of byId.values()) {
    const id = keelIdOf(o.client_order_id);
    const cur = latest.get(id);
    if (!cur || linkOf(o) > linkOf(cur) || (linkOf(o) === linkOf(cur) && cur.status === 'replaced')) latest.set(id, o);
  }
  const orders: Array<{ clientOrderId: string; status: OrderStatus; venueOrderId: string }> = [];
  for (const [clientOrderId, o] of latest) orders.push({ clientOrderId, status: keelStatus(o.status) ?? 'ACCEPTED', venueOrderId: o.id });

  const fills: Fill[] = [];
  for (const a of sortFills(await rest.fills(iso(since)))) {
    const order = byId.get(a.order_id) ?? await rest.order(a.order_id);
    const m = mappingOf(a.symbol);
    if (!order || !m) {
      onProblem(`fill ${a.id} of ${a.symbol}: ${m ? 'its order is unknown' : 'symbol not configured'}; left out of the snapshot`);
      continue;
    }
    byId.set(order.id, order);
    const keel = keelIdOf(order.client_order_id);
    fills.push(fillFromActivity(a, { clientOrderId: keel, strategyId: strategyOfClientOrderId(keel), instrument: m.instrument }));
  }
  return { orders, fills };
}

function linkOf(o: AlpacaOrder): number {
  return Number(/~r(\d+)$/.exec(o.client_order_id)?.[1] ?? 0);
}

/** Alpaca writes crypto symbols "BTC/USD" in orders and "BTCUSD" in positions: accept both. */
function symbolLookup(mappings: readonly SymbolMapping[]): (symbol: string) => SymbolMapping | undefined {
  const map = new Map<string, SymbolMapping>();
  for (const m of mappings) {
    map.set(m.symbol, m);
    map.set(m.symbol.replace('/', ''), m);
  }
  return (s) => map.get(s);
}

function sortFills(fills: readonly AlpacaFillActivity[]): AlpacaFillActivity[] {
  return [...fills].sort((a, b) => Date.parse(a.transaction_time) - Date.parse(b.transaction_time) || a.id.localeCompare(b.id));
}

function iso(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString();
}
