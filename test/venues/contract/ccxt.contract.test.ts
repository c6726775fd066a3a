import type { OrderType } from '../../../src/model/index.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue, exchangeClientOrderId, type MarketBinding } from '../../../src/venues/ccxt/index.ts';
import { API_KEY, SECRET } from '../ccxt/alpaca-helpers.ts';
import { startCcxtAlpacaFake } from './ccxt-alpaca-fake.ts';
import { recordReports, runVenueContract, type ContractRig, type OrderKind } from './suite.ts';

// The ccxt adapter (exchange `alpaca`, REST polling) against a stateful loopback Alpaca crypto account
// (ccxt-alpaca-fake.ts), all through ccxt's real HTTP code. LTC/USD: tick 0.01, lot 0.01 LTC.

const RATE = { capacity: 2, perSecond: 4 };
let n = 0;

async function start(): Promise<ContractRig> {
  const fake = await startCcxtAlpacaFake({ marketPrice: '67.31' });
  const sessions: CcxtVenue[] = [];
  const account = `contract-ccxt-${++n}`;
  const budget = new RateBudget();
  const connect = async () => {
    const venue = await CcxtVenue.connect({
      exchange: 'alpaca', apiKey: API_KEY, secret: SECRET, sandbox: true, streaming: 'poll', marketData: 'none', account,
      urls: { broker: fake.url, trader: fake.url, market: fake.url }, rateLimitMs: 1000 / RATE.perSecond, burst: RATE.capacity,
      pollIntervalMs: 100, timeoutMs: 1_000, retry: { attempts: 6, baseMs: 20, maxMs: 200 }, unknownOrder: { lookups: 2, delayMs: 50 },
      symbols: [{ symbol: 'LTC/USD', lotSize: '0.01' }],
    }, { budget });
    sessions.push(venue);
    return { session: venue, reports: recordReports(venue) };
  };
  const first = await connect();
  const binding = (first.session as CcxtVenue).markets[0] as MarketBinding;
  const lots = (s: string) => Math.round(Number(s) * 100);
  const ticks = (s: string) => Math.round(Number(s) * 100);
  const legsOf = (id: string) => {
    const base = exchangeClientOrderId(id);
    return [...fake.orders.values()].filter((x) => x.client_order_id === base || x.client_order_id.startsWith(`${base.slice(0, 28)}-r`));
  };
  return {
    session: first.session,
    reports: first.reports,
    order: (kind: OrderKind, quantity = 10) => ltc(kind, quantity, binding.instrument.id),
    repriced: (o, lower) => ({ ...o, limitPrice: (o as { limitPrice: number }).limitPrice - lower }) as ApprovedOrder,
    async fill(clientOrderId, parts = 1) {
      return fake.fill(exchangeClientOrderId(clientOrderId), parts).map((f) => ({ quantity: lots(f.qty), price: ticks(f.price) }));
    },
    rejectNext: () => fake.rejectNext(),
    async atCounterparty(id) {
      return legsOf(id).filter((x) => x.status !== 'replaced').map((x) => ({
        status: x.status === 'filled' ? 'filled' as const : x.status === 'canceled' ? 'canceled' as const : x.status === 'rejected' ? 'rejected' as const : 'working' as const,
        quantity: lots(x.qty), ...(x.limit_price === null ? {} : { limitPrice: ticks(x.limit_price) }),
      }));
    },
    orderMessageTimes: () => [...fake.orderArrivals],
    async outage(whileDown) {
      fake.setDown(true);
      await new Promise((r) => setTimeout(r, 300));
      await whileDown();
      await new Promise((r) => setTimeout(r, 200));
      fake.setDown(false);
    },
    reopen: connect,
    async close() {
      for (const s of sessions) await s.close();
      await fake.close();
    },
  };
}

/** LTC near 67.31: a buy limit at 10.00 never fills, a stop at 200.00 never triggers. */
function ltc(kind: OrderKind, quantity: number, instrumentId: string): ApprovedOrder {
  const base = { clientOrderId: `cc-${process.pid}-${++n}`, strategyId: 'contract', instrumentId, side: 'buy' as const, quantity, timeInForce: 'GTC' as const, reduceOnly: false, createdAt: Date.now(), tag: undefined };
  const type: OrderType = kind === 'marketable' ? 'market' : kind === 'resting' ? 'limit' : kind.type;
  switch (type) {
    case 'market': return markApproved({ ...base, type, notional: undefined } as never);
    case 'limit': return markApproved({ ...base, type, limitPrice: 1_000 } as never);
    case 'stop': return markApproved({ ...base, type, stopPrice: 20_000 } as never);
    case 'stop_limit': return markApproved({ ...base, type, stopPrice: 20_000, limitPrice: 20_100 } as never);
  }
}

runVenueContract({
  adapter: 'ccxt (alpaca REST)', start, reportTimeoutMs: 8_000,
  // ccxt's alpaca has triggerPrice (stop-limit) but no stopLossPrice: a stop-market cannot be sent.
  orderTypes: ['market', 'limit', 'stop_limit'], typeRefusal: /stop order/,
  replace: { supported: true }, rateLimit: RATE,
});
