import { on, startLoopback, type Route } from '../ccxt/loopback.ts';
import { ASSETS } from '../ccxt/alpaca-helpers.ts';

/**
 * A small stateful Alpaca crypto account in the shape of Alpaca's public REST API (what ccxt's `alpaca`
 * calls): orders kept by id and client order id (a second order with a taken id is refused, as Alpaca does),
 * PATCH as Alpaca's replace (a new order; the old one becomes `replaced`), fills as FILL activities, and
 * switches the contract suite drives: fill an order in parts, reject the next one, go down.
 */
export interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  type: string;
  order_type: string;
  side: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  created_at: string;
  submitted_at: string;
  updated_at: string;
  filled_at: string | null;
  replaced_by: string | null;
}

export interface FakeFill {
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: string;
  symbol: string;
  leaves_qty: string;
  order_id: string;
  cum_qty: string;
  order_status: string;
}

/** Decimal strings at a fixed scale, exactly (the fake's own arithmetic on quantities). */
const SCALE = 9;
const toUnits = (s: string) => {
  const [i, f = ''] = s.split('.');
  return BigInt(i + f.padEnd(SCALE, '0').slice(0, SCALE));
};
const fromUnits = (u: bigint) => {
  const s = u.toString().padStart(SCALE + 1, '0');
  const t = `${s.slice(0, -SCALE)}.${s.slice(-SCALE)}`.replace(/\.?0+$/, '');
  return t === '' ? '0' : t;
};

export async function startCcxtAlpacaFake(o: { marketPrice: string }) {
  const orders = new Map<string, FakeOrder>();
  const fills: FakeFill[] = [];
  const orderArrivals: number[] = [];
  let n = 0;
  let rejectNext = false;
  let down = false;
  const now = () => new Date().toISOString();
  const byClientId = (id: string) => [...orders.values()].find((x) => x.client_order_id === id);
  const open = (x: FakeOrder) => x.status === 'new' || x.status === 'accepted' || x.status === 'partially_filled';
  const unavailable: Route = () => (down ? { status: 503, json: { message: 'service unavailable' } } : undefined);
  const routes: Route[] = [
    unavailable,
    on('GET', '/v2/assets', { json: ASSETS }),
    on('POST', '/v2/orders', (req) => {
      orderArrivals.push(Date.now());
      const b = JSON.parse(req.body);
      if (b.client_order_id !== undefined && byClientId(b.client_order_id)) return { status: 422, json: { code: 40010001, message: 'client_order_id must be unique' } };
      const t = now();
      const order: FakeOrder = {
        id: `ord-${++n}`, client_order_id: b.client_order_id, symbol: b.symbol, qty: b.qty, filled_qty: '0', filled_avg_price: null,
        type: b.type, order_type: b.type, side: b.side, time_in_force: b.time_in_force, limit_price: b.limit_price ?? null, stop_price: b.stop_price ?? null,
        status: 'new', created_at: t, submitted_at: t, updated_at: t, filled_at: null, replaced_by: null,
      };
      if (rejectNext) {
        rejectNext = false;
        return { status: 403, json: { code: 40310000, message: `insufficient balance for USD (requested: ${b.qty}, available: 0)` } };
      }
      orders.set(order.id, order);
      return { json: { ...order, status: 'accepted' } };
    }),
    on('GET', '/v2/orders', (req) => {
      const status = req.query.get('status') ?? 'open';
      const after = req.query.get('after');
      const list = [...orders.values()].filter((x) => (status === 'all' ? true : status === 'open' ? open(x) : !open(x)))
        .filter((x) => after === null || x.updated_at > after);
      return { json: list };
    }),
    on('GET', '/v2/orders:by_client_order_id', (req) => {
      const x = byClientId(req.query.get('client_order_id') ?? '');
      return x ? { json: x } : { status: 404, json: { code: 40410000, message: 'order not found' } };
    }),
    on('GET', /^\/v2\/orders\/[^/]+$/, (req) => {
      const x = orders.get(req.path.split('/').pop()!);
      return x ? { json: x } : { status: 404, json: { code: 40410000, message: 'order is not found.' } };
    }),
    on('DELETE', /^\/v2\/orders\/[^/]+$/, (req) => {
      orderArrivals.push(Date.now());
      const x = orders.get(req.path.split('/').pop()!);
      if (!x) return { status: 404, json: { code: 40410000, message: 'order is not found.' } };
      if (!open(x)) return { status: 422, json: { code: 42210000, message: 'order is not cancelable' } };
      Object.assign(x, { status: 'canceled', updated_at: now() });
      return { status: 204, text: '' };
    }),
    on('PATCH', /^\/v2\/orders\/[^/]+$/, (req) => {
      orderArrivals.push(Date.now());
      const x = orders.get(req.path.split('/').pop()!);
      if (!x || !open(x)) return { status: 422, json: { code: 42210000, message: 'order is not replaceable' } };
      const b = JSON.parse(req.body);
      const t = now();
      const next: FakeOrder = {
        ...x, id: `ord-${++n}`, client_order_id: b.client_order_id ?? `${x.client_order_id}-r`, qty: b.qty ?? x.qty,
        limit_price: b.limit_price ?? x.limit_price, stop_price: b.stop_price ?? x.stop_price, status: 'new', created_at: t, updated_at: t,
      };
      Object.assign(x, { status: 'replaced', replaced_by: next.id, updated_at: t });
      orders.set(next.id, next);
      return { json: next };
    }),
    on('GET', '/v2/account/activities/FILL', (req) => {
      const after = req.query.get('after');
      const until = req.query.get('until');
      return { json: fills.filter((f) => (after === null || f.transaction_time > after) && (until === null || f.transaction_time < until)) };
    }),
    on('GET', '/v2/account', { json: { currency: 'USD', cash: '100000', equity: '100000', position_market_value: '0' } }),
    on('GET', '/v2/positions', () => {
      const held = new Map<string, bigint>();
      for (const f of fills) held.set(f.symbol, (held.get(f.symbol) ?? 0n) + (f.side === 'buy' ? 1n : -1n) * toUnits(f.qty));
      return { json: [...held].map(([symbol, q]) => ({ symbol: symbol.replace('/', ''), qty: fromUnits(q), qty_available: fromUnits(q), side: q >= 0n ? 'long' : 'short' })) };
    }),
  ];
  const server = await startLoopback(routes);
  return {
    url: server.url, orders, fills, orderArrivals,
    byClientId,
    rejectNext: () => { rejectNext = true; },
    setDown: (d: boolean) => { down = d; },
    /** Fill the working order in `parts` executions at the market price (exact decimal splits). */
    fill(clientOrderId: string, parts: number): FakeFill[] {
      const x = [...orders.values()].find((v) => v.client_order_id === clientOrderId && open(v));
      if (!x) throw new Error(`no working order ${clientOrderId}`);
      const total = toUnits(x.qty);
      const made: FakeFill[] = [];
      let done = toUnits(x.filled_qty);
      for (let i = 0; i < parts; i++) {
        const q = i === parts - 1 ? total - done : (total - done) / BigInt(parts - i);
        done += q;
        const last = done === total;
        const t = new Date(Date.now() + i).toISOString();
        Object.assign(x, { filled_qty: fromUnits(done), filled_avg_price: o.marketPrice, status: last ? 'filled' : 'partially_filled', updated_at: t, filled_at: last ? t : null });
        const f: FakeFill = {
          id: `${t.replace(/\D/g, '')}::fill-${x.id}-${i + 1}`, activity_type: 'FILL', transaction_time: t, type: last ? 'fill' : 'partial_fill',
          price: o.marketPrice, qty: fromUnits(q), side: x.side, symbol: x.symbol, leaves_qty: fromUnits(total - done), order_id: x.id, cum_qty: fromUnits(done), order_status: x.status,
        };
        fills.push(f);
        made.push(f);
      }
      return made;
    },
    close: () => server.close(),
  };
}
