import { defineInstrument, type OrderType } from '../../../src/model/index.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { createAlpacaVenue, parseLots, parseTicks, type AlpacaVenue } from '../../../src/venues/alpaca/index.ts';
import { api, startVenue, KEY, SECRET } from '../alpaca-server/helpers.ts';
import { recordReports, runVenueContract, type ContractRig, type Execution, type OrderKind } from './suite.ts';

// The Alpaca adapter against the Alpaca-compatible venue server (src/venues/alpaca-server/): ORCL's daily
// bars replayed by hand (`step`), fills at the next bar's open, faults armed for rejections and split fills.

const ORCL = defineInstrument({ id: 'ORCL', priceTick: '0.000001', lotSize: '1' });
const RATE = { capacity: 2, perSecond: 4 };
let n = 0;

async function start(): Promise<ContractRig> {
  const arrivals: number[] = [];
  const server = await startVenue({
    log: (line) => {
      const m = /^(POST|PATCH|DELETE) \/v2\/orders\S* \d+ ([\d.]+)ms$/.exec(line);
      if (m) arrivals.push(Date.now() - Number(m[2]));
    },
  });
  server.step(1); // a first bar: the market has a price
  const sessions: AlpacaVenue[] = [];
  const connect = async () => {
    const venue = await createAlpacaVenue({
      tradingUrl: server.url, dataUrl: server.url, streamUrl: `${server.url.replace('http', 'ws')}/stream`, dataStreamUrl: server.url.replace('http', 'ws'),
      symbols: [{ symbol: 'ORCL', priceTick: ORCL.priceTick }], seed: 3, account: `contract-${++n}`,
      timeouts: { requestMs: 1_000, connectMs: 3_000 }, retry: { attempts: 3, baseMs: 20, maxMs: 100 },
      resolve: { attempts: 3, baseMs: 40, maxMs: 100 }, reconnect: { baseMs: 30, maxMs: 150 },
      rateLimit: { perMinute: RATE.perSecond * 60 + RATE.capacity, burst: RATE.capacity, queryShare: 1 },
    }, { env: { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }, budget: new RateBudget() });
    sessions.push(venue);
    return { session: venue, reports: recordReports(venue) };
  };
  const first = await connect();
  const get = async (path: string) => {
    for (let i = 0; ; i++) {
      try {
        return (await api(server, 'GET', path)).body;
      } catch (e) {
        if (i > 50) throw e; // down during an outage: wait for it
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const orderOf = async (id: string) => ((await get('/v2/orders?status=all&limit=500')) as Array<{ id: string; client_order_id: string }>).find((o) => o.client_order_id === id);
  return {
    session: first.session,
    reports: first.reports,
    order: (kind: OrderKind, quantity = 10) => orcl(kind, quantity),
    repriced: (o, lower) => ({ ...o, limitPrice: (o as { limitPrice: number }).limitPrice - lower }) as ApprovedOrder,
    async fill(clientOrderId, parts = 1) {
      if (parts > 1) server.faults.arm('partialFill');
      server.step(1);
      const order = await orderOf(clientOrderId);
      const acts = (await get('/v2/account/activities/FILL?direction=asc&page_size=100')) as Array<{ order_id: string; qty: string; price: string }>;
      // In execution order (asc): the order the trade stream told them in.
      return acts.filter((a) => a.order_id === order?.id).map((a): Execution => ({ quantity: parseLots(ORCL, a.qty, 'qty'), price: parseTicks(ORCL, a.price, 'price') }));
    },
    rejectNext: () => server.faults.arm('reject'),
    async atCounterparty(id) {
      const all = (await get('/v2/orders?status=all&limit=500')) as Array<{ client_order_id: string; status: string; limit_price: string | null; qty: string }>;
      return all.filter((o) => (o.client_order_id === id || o.client_order_id.startsWith(`${id}~`)) && o.status !== 'replaced').map((o) => ({
        status: statusOf(o.status), quantity: parseLots(ORCL, o.qty, 'qty'),
        ...(o.limit_price === null ? {} : { limitPrice: parseTicks(ORCL, o.limit_price, 'limit_price') }),
      }));
    },
    orderMessageTimes: () => [...arrivals],
    async outage(whileDown) {
      const back = server.restart({ downMs: 400 });
      await new Promise((r) => setTimeout(r, 50));
      await whileDown();
      await back;
    },
    reopen: connect,
    async close() {
      for (const s of sessions) await s.close();
      await server.close();
    },
  };
}

function statusOf(s: string): 'working' | 'filled' | 'canceled' | 'rejected' {
  switch (s) {
    case 'filled': return 'filled';
    case 'canceled': case 'expired': return 'canceled';
    case 'rejected': return 'rejected';
    default: return 'working';
  }
}

/** ORCL trades near 2.1 in January 1995: 1.00 never fills, a stop at 9.00 never triggers. */
function orcl(kind: OrderKind, quantity: number): ApprovedOrder {
  const base = { clientOrderId: `ct-${process.pid}-${++n}`, strategyId: 'contract', instrumentId: 'ORCL', side: 'buy' as const, quantity, timeInForce: 'GTC' as const, reduceOnly: false, createdAt: Date.now(), tag: undefined };
  const type: OrderType = kind === 'marketable' ? 'market' : kind === 'resting' ? 'limit' : kind.type;
  switch (type) {
    case 'market': return markApproved({ ...base, type, notional: undefined } as never);
    case 'limit': return markApproved({ ...base, type, limitPrice: 1_000_000 } as never);
    case 'stop': return markApproved({ ...base, type, stopPrice: 9_000_000 } as never);
    case 'stop_limit': return markApproved({ ...base, type, stopPrice: 9_000_000, limitPrice: 9_100_000 } as never);
  }
}

runVenueContract({
  adapter: 'alpaca', start, orderTypes: ['market', 'limit', 'stop', 'stop_limit'], replace: { supported: true }, rateLimit: RATE,
});
