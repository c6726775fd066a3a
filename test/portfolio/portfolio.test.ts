import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, notional, parseMoney, type Fill, type Money } from '../../src/model/index.ts';
import { Portfolio, RoundTripTracker, averagePrice } from '../../src/portfolio/index.ts';
import { SeededRandom } from '../../src/kernel/index.ts';

const inst = defineInstrument({ id: 'X', priceTick: '0.01' });
const usd = (x: string) => parseMoney(x, 'test');
let seq = 0;
function fill(side: 'buy' | 'sell', lots: number, priceTicks: number, fee: Money = 0n, ts = 0): Fill {
  seq++;
  return {
    clientOrderId: `c${seq}`, venueOrderId: `v${seq}`, tradeId: `t${seq}`, strategyId: 's', instrumentId: inst.id, side,
    quantity: lots as Fill['quantity'], price: priceTicks as Fill['price'], fee, liquidity: 'taker', ts, decisionPrice: undefined,
  };
}

test('long round trip: cash, realised PnL and commissions are exact', () => {
  const p = new Portfolio({ instruments: [inst], initialCash: usd('10000') });
  p.applyFill(fill('buy', 10, 10_010, usd('1.00')));   // 10 @ 100.10
  p.applyFill(fill('buy', 5, 10_040, usd('0.50')));    // 5 @ 100.40 → avg 100.20
  assert.equal(averagePrice(p.position('X')).toFixed(6), '100.200000');
  p.applyFill(fill('sell', 15, 10_100, usd('1.50')));  // 15 @ 101.00
  assert.equal(p.position('X').lots, 0);
  assert.equal(p.realizedPnl(), usd('12'));           // 15 × (101.00 − 100.20)
  assert.equal(p.commissions(), usd('3'));
  assert.equal(p.cash, usd('10009'));
});

test('short, partial cover, then flip to long through zero in one fill', () => {
  const p = new Portfolio({ instruments: [inst], initialCash: usd('10000') });
  p.applyFill(fill('sell', 10, 5_000));   // short 10 @ 50
  assert.equal(p.cash, usd('10500'));
  p.applyFill(fill('buy', 4, 4_900));     // cover 4 @ 49 → +4
  assert.equal(p.realizedPnl(), usd('4'));
  assert.equal(p.position('X').lots, -6);
  p.applyFill(fill('buy', 10, 5_100));    // cover 6 @ 51 (−6), then long 4 @ 51
  assert.equal(p.realizedPnl(), usd('-2'));
  assert.equal(p.position('X').lots, 4);
  assert.equal(p.position('X').costBasis, usd('204'));
  p.onMarketEvent({ type: 'trade', instrumentId: 'X', ts: 1, price: 52, size: 1 });
  assert.equal(p.equity(), 10000 - 2 + 4); // −2 realised, +4 unrealised
  assert.equal(p.equityExact(), usd('10002'));
});

test('round-trip tracker groups fills into trades and splits a flipping fill', () => {
  const p = new Portfolio({ instruments: [inst], initialCash: usd('10000') });
  const t = new RoundTripTracker();
  const apply = (f: Fill, i: number) => t.onFill(inst, f, p.applyFill(f), i);
  apply(fill('buy', 10, 10_000, usd('1'), 1), 1);
  apply(fill('sell', 4, 10_500, usd('0.4'), 2), 2);
  assert.equal(t.closed.length, 0);
  apply(fill('sell', 16, 11_000, usd('1.6'), 3), 3); // closes 6 (fee 0.60), opens short 10 (fee 1.00)
  assert.equal(t.closed.length, 1);
  const trip = t.closed[0];
  assert.equal(trip.side, 'long');
  assert.equal(trip.entryLots, 10);
  assert.equal(trip.exitLots, 10);
  assert.equal(trip.realized, usd('80'));           // 4 × 5 + 6 × 10
  assert.equal(trip.fees, usd('2'));                // 1 + 0.4 + 0.6
  assert.equal(t.openTrip('X')!.side, 'short');
  assert.equal(t.openTrip('X')!.fees, usd('1'));
});

test('a million random fills reconcile exactly: cash, position, and basis + realised identity', () => {
  const crypto = defineInstrument({ id: 'BTC/USD', priceTick: '0.01', lotSize: '0.00000001', assetClass: 'crypto' });
  const p = new Portfolio({ instruments: [crypto], initialCash: usd('1000000') });
  const rng = new SeededRandom(20261122);
  let lots = 0;
  let signedNotional = 0n;
  let fees = 0n;
  const f: { -readonly [K in keyof Fill]: Fill[K] } = {
    clientOrderId: 'c', venueOrderId: 'v', tradeId: 't', strategyId: 's', instrumentId: crypto.id, side: 'buy',
    quantity: 0 as Fill['quantity'], price: 0 as Fill['price'], fee: 0n, liquidity: 'taker', ts: 0, decisionPrice: undefined,
  };
  for (let i = 0; i < 1_000_000; i++) {
    f.side = rng.next() < 0.5 ? 'buy' : 'sell';
    f.quantity = (1 + rng.int(50_000_000)) as Fill['quantity'];   // up to 0.5 BTC
    f.price = (2_000_000 + rng.int(8_000_000)) as Fill['price'];   // 20,000.00 – 100,000.00
    f.fee = BigInt(rng.int(500)) * 10n ** 10n;                     // 0.00 – 4.99 USD
    p.applyFill(f);
    const n = notional(crypto, f.price, f.quantity);
    signedNotional += f.side === 'buy' ? n : -n;
    fees += f.fee;
    lots += f.side === 'buy' ? f.quantity : -f.quantity;
  }
  const pos = p.position(crypto.id);
  assert.equal(pos.lots, lots);
  assert.equal(p.cash, usd('1000000') - signedNotional - fees);
  assert.equal(p.commissions(), fees);
  // Average-cost accounting loses nothing: what is still in the basis plus what was realised is exactly the
  // net amount paid for the instrument.
  assert.equal(pos.costBasis - pos.realizedPnl, signedNotional);
  // Every amount is on the cent/satoshi-notional grid: money units are multiples of the notional unit or the fee step.
  assert.equal((p.cash - usd('1000000') + fees) % crypto.notionalUnit, 0n);
});
