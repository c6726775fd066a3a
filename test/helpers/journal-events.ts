import { defineInstrument, type Fill, type OrderEvent } from '../../src/model/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import type { NewJournalEvent } from '../../src/store/index.ts';

/**
 * Realistic journal traffic for backup tests: each `tradeBatch(i)` is one order's life (submitted, accepted,
 * filled) and the account's new balance, as the engine journals them. A batch is one append call, so one
 * transaction: a consistent copy of the journal always ends on a multiple of BATCH_EVENTS.
 */
export const BATCH_EVENTS = 4;

const INSTRUMENTS = [defineInstrument({ id: 'ACME', priceTick: '0.01' }), defineInstrument({ id: 'BETA', priceTick: '0.01' })];
const VERSION = 'sha256:0f1e2d {"fast":10,"slow":30}';

export function tradeBatch(i: number, account = 'A'): NewJournalEvent[] {
  const inst = INSTRUMENTS[i % 2];
  const side = i % 3 === 2 ? 'sell' : 'buy';
  const id = `${account}-${i}`;
  const qty = 1 + (i % 5);
  const order = buildOrder(inst, { side, quantity: qty, limitPrice: 10 + (i % 7) }, id, 's1', i);
  const fill: Fill = {
    clientOrderId: id, venueOrderId: `V${i}`, tradeId: `T${account}${i}`, strategyId: 's1', instrumentId: inst.id, side,
    quantity: qty as Fill['quantity'], price: (1000 + i) as Fill['price'], fee: 1_250_000_000n + BigInt(i), liquidity: 'taker', ts: 1000 + i, decisionPrice: undefined,
  };
  const orderEvent = (e: OrderEvent): NewJournalEvent => ({ ts: e.ts, stream: { account, strategy: 's1', instrument: inst.id }, type: e.type, payload: e, version: VERSION });
  return [
    orderEvent({ type: 'order.submitted', ts: 1000 + i, order }),
    orderEvent({ type: 'order.accepted', ts: 1000 + i, clientOrderId: id, venueOrderId: `V${i}` }),
    orderEvent({ type: 'order.filled', ts: 1000 + i, clientOrderId: id, fill, leavesQuantity: 0 as Fill['quantity'] }),
    {
      ts: 1000 + i, stream: { account }, type: 'account.balance',
      // Beyond 2^53 on purpose: Money must survive the copy without passing through a float.
      payload: { currency: 'USD', cash: 123_456_789_012_345_678_901n - BigInt(i), equity: 10n ** 20n + BigInt(i), realizedPnl: -BigInt(i) },
    },
  ];
}
