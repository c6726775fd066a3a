import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, roundToMinorUnit, type Money } from '../../src/model/index.ts';
import { gate } from '../helpers/gate.ts';
import { money as usd, riskConfig as limits } from '../helpers/risk-config.ts';

const acme = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const beta = defineInstrument({ id: 'BETA', priceTick: '0.01' });
const coin = defineInstrument({ id: 'COIN', assetClass: 'crypto', priceTick: '0.01', lotSize: '0.01' });

test('position limit (quantity): counts the position and the working orders on the same side', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionQuantity: '100' } } })).price(50);
  assert.equal(g.why({ side: 'buy', quantity: 100 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 101 }), /^position-limit: ACME position would reach 101 \(now 0, working 0\), above the limit of 100$/);
  g.hold(30, 50);
  g.work({ side: 'buy', quantity: 30, limitPrice: 49 });
  assert.equal(g.why({ side: 'buy', quantity: 40 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 41 }), /would reach 101 \(now 30, working 30\)/);
  // Short side is limited the same way; the working buy does not offset a sell.
  assert.equal(g.why({ side: 'sell', quantity: 130 }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 131 }), /would reach -101/);
});

test('position limit: an order toward zero passes even when the position is over a lowered limit', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionQuantity: '10' } } })).price(50).hold(50, 50);
  assert.equal(g.why({ side: 'sell', quantity: 20 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 1 }), /position-limit/);
});

test('position limit (value): valued at the reference price, exact to the cent', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionNotional: usd('5000') } } })).price(50).hold(60, 50);
  assert.equal(g.why({ side: 'buy', quantity: 40 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 41 }), /^position-limit: ACME position would be worth 5050\.00 USD, above the limit of 5000\.00 USD$/);
  assert.match(g.price(50.01).why({ side: 'buy', quantity: 40 }), /worth 5001\.00 USD/);
});

test('account gross and net exposure across instruments', () => {
  const g = gate(limits({ account: { maxGrossExposure: usd('10000'), maxNetExposure: usd('4000') } }), { instruments: [acme, beta] })
    .price(100, 'ACME').price(100, 'BETA');
  g.hold(30, 100, 'strat', 'ACME').hold(-30, 100, 'strat', 'BETA'); // gross 6000, net 0
  assert.equal(g.why({ side: 'buy', quantity: 40, instrumentId: 'ACME' }), 'ok', 'gross 10000, net 4000: both at the limit');
  assert.match(g.why({ side: 'buy', quantity: 41, instrumentId: 'ACME' }), /^exposure-limit: Account gross exposure would reach 10100\.00 USD \(now 6000\.00 USD\), above the limit of 10000\.00 USD$/);
  // Net: buying BETA covers the short; if it fills, net = ACME 3000 + BETA 1000 = 4000, the limit.
  assert.equal(g.why({ side: 'buy', quantity: 40, instrumentId: 'BETA' }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 41, instrumentId: 'BETA' }), /Account net exposure would reach 4100\.00 USD \(now 0\.00 USD\)/);
});

test('exposure limits per strategy and per asset class', () => {
  const g = gate(limits({
    strategies: { alpha: { maxGrossExposure: usd('1000') } },
    assetClasses: { crypto: { maxGrossExposure: usd('2000') } },
  }), { instruments: [acme, coin] }).price(100, 'ACME').price(100, 'COIN');
  assert.equal(g.why({ side: 'buy', quantity: 10, strategy: 'alpha' }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 10.01, strategy: 'alpha' }), /instrument-rules/, 'ACME has whole shares');
  assert.match(g.why({ side: 'buy', quantity: 11, strategy: 'alpha' }), /^exposure-limit: Strategy alpha gross exposure would reach 1100\.00 USD/);
  assert.equal(g.why({ side: 'buy', quantity: 11, strategy: 'beta' }), 'ok', 'other strategies are not capped by alpha');
  g.hold(15, 100, 'beta', 'COIN');
  assert.equal(g.why({ side: 'buy', quantity: 5, instrumentId: 'COIN' }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 5.01, instrumentId: 'COIN' }), /Asset class crypto gross exposure would reach 2001\.00 USD/);
  assert.equal(g.why({ side: 'buy', quantity: 500 }), 'ok', 'equities are not in the crypto cap');
});

test('short sale: selling through zero only where shorting is allowed', () => {
  const g = gate(limits({ instruments: { ACME: { allowShort: false } } })).price(10).hold(100, 10);
  assert.equal(g.why({ side: 'sell', quantity: 100 }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 101 }), /^short-sale: Selling 101 would leave ACME short 1; short selling is not allowed for it$/);
  const acct = gate(limits({ account: { allowShort: false }, instruments: { ACME: { allowShort: true } } })).price(10);
  assert.equal(acct.why({ side: 'sell', quantity: 1 }), 'ok', "the instrument's own setting wins");
});

test('buying power, cash account: value plus fee within free cash; working buys commit cash', () => {
  const fee = (v: Money) => roundToMinorUnit(v / 1000n, 'USD'); // 0.1%
  const g = gate(limits({ account: { buyingPower: { mode: 'cash' } } }), { cash: '10010', fee }).price(100);
  assert.equal(g.why({ side: 'buy', quantity: 100, limitPrice: 100 }), 'ok', '10000 + 10 fee = all the cash');
  assert.match(g.why({ side: 'buy', quantity: 100, limitPrice: 100.01 }), /^buying-power: Order needs 10011\.00 USD \(value 10001\.00 USD \+ fee 10\.00 USD\) but only 10010\.00 USD cash is free$/);
  g.work({ side: 'buy', quantity: 50, limitPrice: 100 });
  assert.equal(g.why({ side: 'buy', quantity: 50, limitPrice: 100 }), 'ok', '5000 + 5 fee within the 5010 left');
  assert.match(g.why({ side: 'buy', quantity: 51, limitPrice: 100 }), /Order needs 5105\.10 USD .* only 5010\.00 USD cash is free/);
  assert.match(g.why({ side: 'sell', quantity: 1 }), /A cash account cannot sell more than it holds/);
});

test('buying power, margin account: gross exposure plus fee within equity × leverage', () => {
  const g = gate(limits({ account: { buyingPower: { mode: 'margin', leverage: 2 } } }), { equity: 10000 }).price(100).hold(50, 100);
  assert.equal(g.why({ side: 'buy', quantity: 150 }), 'ok', '20000 of exposure');
  assert.match(g.why({ side: 'buy', quantity: 151 }), /^buying-power: Gross exposure would reach 20100\.00 USD plus fee 0\.00 USD, above the buying power of 20000\.00 USD \(equity × 2\)$/);
  assert.equal(g.why({ side: 'sell', quantity: 250 }), 'ok', 'short 200 = 20000');
  assert.equal(g.why({ side: 'sell', quantity: 50 }), 'ok', 'reducing always passes');
  g.account.equity = 1000;
  assert.equal(g.why({ side: 'sell', quantity: 50 }), 'ok', 'even when under water');
});

test('trading state: REDUCING passes only reducing orders, HALTED nothing', () => {
  const g = gate(limits({})).price(10).hold(100, 10);
  g.risk.state.escalate('REDUCING', { kind: 'breaker', name: 'test' }, 'testing');
  assert.equal(g.why({ side: 'sell', quantity: 100 }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 101 }), /^trading-state: Trading is REDUCING \(testing\); only orders that reduce a position are accepted$/);
  assert.match(g.why({ side: 'buy', quantity: 1 }), /REDUCING/);
  assert.match(g.why({ side: 'buy', notional: 100 }), /REDUCING/, 'a cash-sized buy never counts as reducing');
  g.risk.state.escalate('HALTED', { kind: 'operator', who: 'ops' }, 'stop');
  assert.match(g.why({ side: 'sell', quantity: 1 }), /^trading-state: Trading is HALTED \(stop\); only cancels are accepted until an operator re-arms$/);
  assert.equal(g.risk.state.escalate('REDUCING', { kind: 'breaker', name: 'x' }, 'later'), false, 'automatic actors never loosen a halt');
  assert.equal(g.risk.rearm('alice', 'checked'), true);
  assert.equal(g.why({ side: 'buy', quantity: 1 }), 'ok');
});

test('flatten mode runs only the instrument rules: a halted account can still be closed out', () => {
  const g = gate(limits({ instruments: { ACME: { maxQuantity: '40', maxOrderQuantity: '10' } }, account: { restricted: ['ACME'] } })).price(10).hold(100, 10);
  g.risk.state.escalate('HALTED', { kind: 'operator', who: 'ops' }, 'stop');
  const plan = g.risk.flattenPlan();
  assert.deepEqual(plan.map((p) => [p.side, p.lots]), [['sell', 40], ['sell', 40], ['sell', 20]], 'split by the maximum order quantity');
  const order = g.order({ side: 'sell', quantity: 40, reduceOnly: true });
  assert.equal(g.risk.evaluate(order, 'flatten').approved, true, 'order size limit (10) and HALTED do not block flattening');
  assert.equal(g.risk.evaluate(g.order({ side: 'sell', quantity: 41 }), 'flatten').approved, false, 'the venue maximum still applies');
});
