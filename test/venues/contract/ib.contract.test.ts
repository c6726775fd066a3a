import type { OrderType, VenueReport } from '../../../src/model/index.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { IbVenue } from '../../../src/venues/ib/index.ts';
import { startTwsServer } from '../../../src/venues/ib-server/index.ts';
import { recordReports, runVenueContract, type ContractRig, type OrderKind } from './suite.ts';

// The IB adapter (@stoqey/ib's client) against the fake TWS (src/venues/ib-server/): the TWS socket
// protocol on loopback, orders filled by hand. AAPL at 187.25: tick 0.01, lot 1 share.

const RATE = { capacity: 2, perSecond: 4 };
let n = 0;

async function start(): Promise<ContractRig> {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }], matching: 'manual' });
  const sessions: IbVenue[] = [];
  const budget = new RateBudget();
  const clientId = 100 + (++n % 1000);
  const connect = async () => {
    const venue = await IbVenue.connect({
      host: '127.0.0.1', port: tws.port, clientId, account: tws.account, symbols: ['AAPL'], marketData: 'none',
      pacing: { messagesPerSecond: RATE.capacity + RATE.perSecond, burst: RATE.capacity },
      timeouts: { connectMs: 2_000, requestMs: 2_000, commissionMs: 500 }, reconnect: { baseMs: 50, maxMs: 200 },
    }, { budget, random: () => 0.5 });
    sessions.push(venue);
    return { session: venue, reports: recordReports(venue) };
  };
  const first = await connect();
  const cents = (s: string | undefined) => (s === undefined ? undefined : Math.round(Number(s) * 100));
  return {
    session: first.session,
    reports: first.reports,
    order: (kind: OrderKind, quantity = 10) => aapl(kind, quantity),
    repriced: (o, lower) => ({ ...o, limitPrice: (o as { limitPrice: number }).limitPrice - lower }) as ApprovedOrder,
    async fill(clientOrderId, parts = 1) {
      return tws.fill(clientOrderId, parts).map((e) => ({ quantity: Number(e.shares), price: cents(e.price)! }));
    },
    rejectNext: () => tws.rejectNext(),
    async atCounterparty(ref) {
      return tws.ordersByRef(ref).map((o) => ({
        status: o.status === 'Filled' ? 'filled' as const : o.status === 'Cancelled' ? 'canceled' as const : o.status === 'Inactive' ? 'rejected' as const : 'working' as const,
        quantity: Number(o.totalQuantity), ...(o.lmtPrice === undefined ? {} : { limitPrice: cents(o.lmtPrice) }),
      }));
    },
    orderMessageTimes: () => [...tws.orderMessageTimes],
    outage: (whileDown) => tws.outage(600, whileDown),
    // A restart: the old session goes, a new one connects with the same client id and resubmits.
    async reopen(): Promise<{ session: IbVenue; reports: VenueReport[] }> {
      await sessions[0].close();
      return connect();
    },
    async close() {
      for (const s of sessions) await s.close();
      await tws.close();
    },
  };
}

/** AAPL at 187.25: a buy limit at 100.00 never fills, a buy stop at 250.00 never triggers. */
function aapl(kind: OrderKind, quantity: number): ApprovedOrder {
  const base = { clientOrderId: `ib-ct-${process.pid}-${++n}`, strategyId: 'contract', instrumentId: 'AAPL', side: 'buy' as const, quantity, timeInForce: 'GTC' as const, reduceOnly: false, createdAt: Date.now(), tag: undefined };
  const type: OrderType = kind === 'marketable' ? 'market' : kind === 'resting' ? 'limit' : kind.type;
  switch (type) {
    case 'market': return markApproved({ ...base, type, notional: undefined } as never);
    case 'limit': return markApproved({ ...base, type, limitPrice: 10_000 } as never);
    case 'stop': return markApproved({ ...base, type, stopPrice: 25_000 } as never);
    case 'stop_limit': return markApproved({ ...base, type, stopPrice: 25_000, limitPrice: 25_100 } as never);
  }
}

runVenueContract({ adapter: 'ib', start, orderTypes: ['market', 'limit', 'stop', 'stop_limit'], replace: { supported: true }, rateLimit: RATE });
