import { type OrderType } from '../../../src/model/index.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { createFixVenue, type FixVenue } from '../../../src/venues/fix/index.ts';
import { FixAcceptor } from '../../helpers/fix-acceptor.ts';
import { until } from '../../helpers/wait.ts';
import { storePath } from '../fix/helpers.ts';
import { recordReports, runVenueContract, type ContractRig, type Execution, type OrderKind } from './suite.ts';

// The FIX adapter (FIX 4.4 here; 4.2 against QuickFIX's executor in test/venues/fix/*.fix-executor.test.ts)
// against the local acceptor (test/helpers/fix-acceptor.ts), which can leave orders working, fill them on
// demand in parts, cancel and replace them. QuickFIX's executor fills every limit order at once and takes
// no cancel, replace or status request, so it cannot host this suite; its behaviours are tested on their own.

const RATE = { capacity: 2, perSecond: 4 };
/** Where the acceptor executes market orders: ORCL at 38.93 (tick 0.01). */
const MARKET = 3893;
let n = 0;

async function start(): Promise<ContractRig> {
  const acceptor = await FixAcceptor.start({ onOrder: (a, o) => { a.report(o, '0'); } });
  const store = storePath();
  const sessions: FixVenue[] = [];
  const connect = async () => {
    // A restart of the engine: the previous session logs out first (one FIX session per CompID pair), the
    // new one resumes from the same store.
    for (const s of sessions.splice(0)) await s.close();
    const venue = await createFixVenue({
      host: '127.0.0.1', port: acceptor.port, version: '4.4', senderCompId: 'KEEL', targetCompId: 'ACCEPTOR', store, symbols: ['ORCL'],
      orderTypes: ['market', 'limit', 'stop', 'stop_limit'], rateLimit: { perSecond: RATE.perSecond, burst: RATE.capacity },
      reconnect: { baseMs: 30, maxMs: 150 }, timeouts: { logonMs: 300, statusMs: 1000 },
    });
    sessions.push(venue);
    return { session: venue, reports: recordReports(venue) };
  };
  const first = await connect();
  return {
    session: first.session,
    reports: first.reports,
    order: (kind: OrderKind, quantity = 10) => orcl(kind, quantity),
    repriced: (o, lower) => ({ ...o, limitPrice: (o as { limitPrice: number }).limitPrice - lower }) as ApprovedOrder,
    async fill(clientOrderId, parts = 1) {
      await until(`the acceptor to hold ${clientOrderId}`, () => acceptor.find(clientOrderId) !== undefined);
      const o = acceptor.find(clientOrderId)!;
      const out: Execution[] = [];
      const left = o.qty - o.cum;
      for (let i = 0; i < parts; i++) {
        const qty = i === parts - 1 ? left - Math.floor(left / parts) * (parts - 1) : Math.floor(left / parts);
        const px = o.ordType === '1' ? MARKET + i : Math.round(Number(o.price) * 100);
        o.status = o.cum + qty >= o.qty ? '2' : '1';
        acceptor.report(o, '1', { qty, px: (px / 100).toFixed(2) });
        out.push({ quantity: qty, price: px });
      }
      return out;
    },
    rejectNext: () => { acceptor.rejectNextOrder = true; },
    async atCounterparty(id) {
      const o = acceptor.find(id);
      if (!o) return [];
      const status = o.status === '2' ? 'filled' : o.status === '4' ? 'canceled' : o.status === '8' ? 'rejected' : 'working';
      return [{ status, quantity: o.qty, ...(o.ordType === '2' ? { limitPrice: Math.round(Number(o.price) * 100) } : {}) }];
    },
    orderMessageTimes: () => [...acceptor.arrivals],
    async outage(whileDown) {
      acceptor.silent = true; // unreachable: logons go unanswered
      acceptor.socket?.destroy();
      const venue = sessions[0];
      await until('the session to notice', () => !venue.connected, 5000);
      await whileDown();
      acceptor.silent = false;
      await until('the session logged on again', () => venue.connected, 5000);
    },
    reopen: connect,
    async close() {
      for (const s of sessions) await s.close();
      await acceptor.stop();
    },
  };
}

/** ORCL near 38.93: a buy limit at 10.00 never fills, a buy stop at 90.00 never triggers. */
function orcl(kind: OrderKind, quantity: number): ApprovedOrder {
  const base = { clientOrderId: `fx-${process.pid}-${++n}`, strategyId: 'contract', instrumentId: 'ORCL', side: 'buy' as const, quantity, timeInForce: 'GTC' as const, reduceOnly: false, createdAt: Date.now(), tag: undefined };
  const type: OrderType = kind === 'marketable' ? 'market' : kind === 'resting' ? 'limit' : kind.type;
  switch (type) {
    case 'market': return markApproved({ ...base, type, notional: undefined } as never);
    case 'limit': return markApproved({ ...base, type, limitPrice: 1000 } as never);
    case 'stop': return markApproved({ ...base, type, stopPrice: 9000 } as never);
    case 'stop_limit': return markApproved({ ...base, type, stopPrice: 9000, limitPrice: 9100 } as never);
  }
}

runVenueContract({
  adapter: 'fix', start, orderTypes: ['market', 'limit', 'stop', 'stop_limit'], replace: { supported: true }, rateLimit: RATE,
});
