import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type BreakerAction, type OrderRequest, type RiskEvent, type TradingState } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import { RiskEngine, type BreakerConfig, type KillTarget } from '../../src/risk/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { trade } from '../helpers/sim-harness.ts';
import { money, riskConfig } from '../helpers/risk-config.ts';

const ACME = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const BETA = defineInstrument({ id: 'BETA', priceTick: '0.01' });
const INSTRUMENTS = new Map([[ACME.id, ACME], [BETA.id, BETA]]);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Tuesday 2024-01-02 15:00 UTC (10:00 in New York): hours away from a 17:00 New York daily reset. */
const T0 = Date.UTC(2024, 0, 2, 15);
const NY_RESET = { resetTime: '17:00', resetZone: 'America/New_York' } as const;

/** Stands in for the execution engine: records what the kill switch asked of it. */
class RecordingKillTarget implements KillTarget {
  readonly calls: string[] = [];
  cancelAllOrders(reason: string): string[] {
    this.calls.push(`cancel all (${reason})`);
    return [];
  }
  flattenAllPositions(tag: string): { submitted: string[]; notFlattened: string[] } {
    this.calls.push(`flatten (${tag})`);
    return { submitted: [], notFlattened: [] };
  }
}

/**
 * A real RiskEngine with a hand-driven clock, account equity, market data, order events, closed trades and
 * venue connections, recording every risk event.
 */
function rig(breakers: BreakerConfig, start = T0) {
  const clock = new SimClock(start);
  let equity = 100_000;
  const risk = new RiskEngine({
    instruments: [ACME, BETA], clock, config: riskConfig({ breakers }),
    account: { cash: () => money('100000'), equity: () => equity },
  });
  const kill = new RecordingKillTarget();
  risk.killSwitch.connect(kill);
  const events: RiskEvent[] = [];
  risk.addListener({ onRiskEvent: (e) => { events.push(e); } });
  let seq = 0;
  const submitted: OrderRequest[] = [];
  const r = {
    risk, clock, events, kill, submitted,
    get state(): TradingState { return risk.tradingState; },
    get equity(): number { return equity; },
    at(ms: number) { clock.advanceTo(ms); return r; },
    after(ms: number) { clock.advanceTo(clock.now() + ms); return r; },
    /** Market data on an instrument now (the risk engine takes its reference and runs its breakers). */
    data(id = ACME.id) { risk.onMarketEvent(trade(clock.now(), 100, 1, id)); return r; },
    /** The account's equity moved to `eq`, seen with a market event now. */
    mark(eq: number) { equity = eq; return r.data(); },
    timer() { risk.onTimer(clock.now()); return r; },
    submit(id = ACME.id, quantity = 1): OrderRequest {
      const order = buildOrder(INSTRUMENTS.get(id)!, { side: 'buy', quantity }, `o${++seq}`, 'strat', clock.now());
      risk.onOrderEvent({ type: 'order.submitted', ts: clock.now(), order });
      submitted.push(order);
      return order;
    },
    accept(o: OrderRequest) { risk.onOrderEvent({ type: 'order.accepted', ts: clock.now(), clientOrderId: o.clientOrderId, venueOrderId: `v-${o.clientOrderId}` }); },
    reject(o: OrderRequest) { risk.onOrderEvent({ type: 'order.rejected', ts: clock.now(), clientOrderId: o.clientOrderId, reason: 'insufficient funds' }); },
    unknown(o: OrderRequest) { risk.onOrderEvent({ type: 'order.unknown', ts: clock.now(), clientOrderId: o.clientOrderId, reason: 'request timed out' }); },
    cancel(o: OrderRequest) { risk.onOrderEvent({ type: 'order.canceled', ts: clock.now(), clientOrderId: o.clientOrderId, reason: 'test' }); },
    fill(o: OrderRequest) {
      risk.onOrderEvent({
        type: 'order.filled', ts: clock.now(), clientOrderId: o.clientOrderId, leavesQuantity: 0 as OrderRequest['quantity'],
        fill: {
          clientOrderId: o.clientOrderId, venueOrderId: `v-${o.clientOrderId}`, tradeId: `x-${o.clientOrderId}`, strategyId: o.strategyId,
          instrumentId: o.instrumentId, side: o.side, quantity: o.quantity, price: 10_000 as never, fee: 0n, liquidity: 'taker',
          ts: clock.now(), decisionPrice: undefined,
        },
      });
    },
    /** Hold a position: a buy order submitted and filled. */
    hold(id = ACME.id) { r.fill(r.submit(id)); return r; },
    lose(n = 1) { for (let i = 0; i < n; i++) risk.onTradeClosed(-10); return r; },
    win() { risk.onTradeClosed(10); return r; },
    disconnect(venue = 'sim') { risk.onVenueConnection(venue, false, 'socket closed'); return r; },
    reconnect(venue = 'sim') { risk.onVenueConnection(venue, true, 'reconnected'); return r; },
    trips() { return events.filter((e) => e.type === 'risk.breaker-tripped'); },
    /** Breaker names that tripped, in order. */
    tripped() { return r.trips().map((e) => e.breaker); },
    stateChanges() { return events.filter((e) => e.type === 'risk.state-changed'); },
  };
  return r;
}
type Rig = ReturnType<typeof rig>;

// ---- what every breaker shares: action → state, events, sticky trips, operator re-arm -----------------

interface BreakerCase {
  readonly name: string;
  config(action: BreakerAction): BreakerConfig;
  /** The normal state before anything goes wrong. */
  setup(r: Rig): void;
  /** Drive the condition just past the limit, from wherever it stands now. */
  trip(r: Rig): void;
  /** Make the condition go away (equity back, a win, fresh data, a reconnect, orders resolved). */
  clear(r: Rig): void;
}

const CASES: readonly BreakerCase[] = [
  {
    name: 'daily-loss',
    config: (action) => ({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action } }),
    setup: (r) => { r.mark(100_000); },
    trip: (r) => { r.after(SECOND).mark(r.equity - 1000.01); },
    clear: (r) => { r.after(SECOND).mark(100_000); },
  },
  {
    name: 'drawdown',
    config: (action) => ({ drawdown: { maxDrawdown: money('5000'), action } }),
    setup: (r) => { r.mark(100_000); },
    trip: (r) => { r.after(SECOND).mark(r.equity - 5000.01); },
    clear: (r) => { r.after(SECOND).mark(100_000); },
  },
  {
    name: 'losing-streak',
    config: (action) => ({ losingStreak: { maxConsecutiveLosses: 3, action } }),
    setup: () => {},
    trip: (r) => { r.lose(3); },
    clear: (r) => { r.win(); },
  },
  {
    name: 'reject-rate',
    config: (action) => ({ rejectRate: { maxRejectPct: 50, windowMs: MINUTE, minOrders: 4, action } }),
    setup: () => {},
    // A fresh window with nothing but rejects in it.
    trip: (r) => { r.after(MINUTE); for (let i = 0; i < 4; i++) r.reject(r.submit()); },
    clear: (r) => { r.after(MINUTE); for (let i = 0; i < 4; i++) r.accept(r.submit()); },
  },
  {
    name: 'stale-data',
    config: (action) => ({ staleData: { maxAgeMs: 5 * SECOND, action } }),
    setup: (r) => { r.data().hold(); },
    trip: (r) => { r.after(5 * SECOND + 1).timer(); },
    clear: (r) => { r.data(); },
  },
  {
    name: 'venue-disconnect',
    config: (action) => ({ venueDisconnect: { graceMs: 10 * SECOND, action } }),
    setup: () => {},
    trip: (r) => { r.disconnect().after(10 * SECOND + 1).timer(); },
    clear: (r) => { r.reconnect(); },
  },
  {
    name: 'unknown-orders',
    config: (action) => ({ unknownOrders: { maxUnknown: 2, action } }),
    setup: () => {},
    trip: (r) => { for (let i = 0; i < 3; i++) r.unknown(r.submit()); },
    // Reconciliation found them: the venue had accepted them after all.
    clear: (r) => { for (const o of r.submitted) r.accept(o); },
  },
];

const STATE_OF: Readonly<Record<BreakerAction, TradingState>> = { reduce: 'REDUCING', halt: 'HALTED', kill: 'HALTED' };

for (const c of CASES) {
  for (const action of ['reduce', 'halt', 'kill'] as const) {
    test(`${c.name} with action ${action}: a trip moves the state to ${STATE_OF[action]}${action === 'kill' ? ' and runs the kill switch' : ''}, with the breaker, reason and actor on the events`, () => {
      const r = rig(c.config(action));
      c.setup(r);
      assert.equal(r.state, 'ACTIVE');
      assert.equal(r.events.length, 0, 'nothing happens before the limit is passed');
      c.trip(r);
      assert.equal(r.state, STATE_OF[action]);
      assert.ok(r.risk.breakers.isTripped(c.name));

      const [tripped, changed, ...rest] = r.events;
      assert.equal(tripped.type, 'risk.breaker-tripped');
      if (tripped.type !== 'risk.breaker-tripped') return;
      assert.equal(tripped.breaker, c.name);
      assert.equal(tripped.action, action);
      assert.equal(tripped.ts, r.clock.now());
      assert.ok(tripped.reason.length > 10, `a reason a trader can read: "${tripped.reason}"`);

      assert.equal(changed.type, 'risk.state-changed');
      if (changed.type !== 'risk.state-changed') return;
      assert.equal(changed.from, 'ACTIVE');
      assert.equal(changed.to, STATE_OF[action]);
      if (action === 'kill') {
        assert.deepEqual(changed.by, { kind: 'kill-switch', who: `breaker ${c.name}` });
        assert.equal(changed.reason, `kill switch: ${c.name}: ${tripped.reason}`);
        // A breaker's kill cancels every working order and flattens, whatever the operator default is.
        // (The fake target never closes the position, so later ticks may follow up with more flatten calls.)
        assert.deepEqual(r.kill.calls.slice(0, 2), [`cancel all (kill switch: ${c.name}: ${tripped.reason})`, 'flatten (kill-switch)']);
        assert.ok(r.kill.calls.slice(2).every((call) => call === 'flatten (kill-switch)'));
        assert.equal(rest.length, 1);
        assert.equal(rest[0].type, 'risk.kill-switch');
        if (rest[0].type === 'risk.kill-switch') assert.equal(rest[0].by, `breaker ${c.name}`);
      } else {
        assert.deepEqual(changed.by, { kind: 'breaker', name: c.name });
        assert.equal(changed.reason, `${c.name}: ${tripped.reason}`);
        assert.deepEqual(r.kill.calls, [], 'the kill switch only runs for action kill');
        assert.deepEqual(rest, []);
      }
      assert.equal(r.risk.stateReason, changed.reason);
    });
  }

  test(`${c.name}: a trip is sticky — the condition clearing does not restore trading, and a repeat stays silent`, () => {
    const r = rig(c.config('halt'));
    c.setup(r);
    c.trip(r);
    assert.equal(r.state, 'HALTED');
    const seen = r.events.length;
    c.clear(r);
    assert.equal(r.state, 'HALTED', 'condition cleared, state stays');
    c.trip(r);
    assert.equal(r.state, 'HALTED');
    assert.equal(r.events.length, seen, 'no second trip event while tripped');
  });

  test(`${c.name}: an operator re-arm returns to ACTIVE and the breaker can trip again`, () => {
    const r = rig(c.config('reduce'));
    c.setup(r);
    c.trip(r);
    assert.equal(r.state, 'REDUCING');
    c.clear(r);
    assert.equal(r.risk.rearm('alice', 'reviewed the positions'), true);
    assert.equal(r.state, 'ACTIVE');
    assert.equal(r.risk.breakers.isTripped(c.name), false);
    const rearmed = r.events.at(-1);
    assert.ok(rearmed?.type === 'risk.state-changed');
    assert.deepEqual({ from: rearmed.from, to: rearmed.to, by: rearmed.by, reason: rearmed.reason },
      { from: 'REDUCING', to: 'ACTIVE', by: { kind: 'operator', who: 'alice' }, reason: 'reviewed the positions' });

    c.trip(r);
    assert.equal(r.state, 'REDUCING');
    assert.deepEqual(r.tripped(), [c.name, c.name]);
  });
}

test('an automatic trip never loosens HALTED to REDUCING: a reduce breaker tripping after a halt one leaves HALTED', () => {
  const r = rig({ drawdown: { maxDrawdown: money('5000'), action: 'halt' }, losingStreak: { maxConsecutiveLosses: 2, action: 'reduce' } });
  r.mark(100_000).mark(94_999.99);
  assert.equal(r.state, 'HALTED');
  r.lose(2);
  assert.deepEqual(r.tripped(), ['drawdown', 'losing-streak'], 'the second trip is still reported');
  assert.equal(r.state, 'HALTED');
  assert.deepEqual(r.stateChanges().map((e) => e.to), ['HALTED'], 'no state change to REDUCING');
  assert.match(r.risk.stateReason, /^drawdown: /);
});

test('a reduce breaker tightens REDUCING to HALTED when a halt breaker trips after it', () => {
  const r = rig({ drawdown: { maxDrawdown: money('5000'), action: 'halt' }, losingStreak: { maxConsecutiveLosses: 2, action: 'reduce' } });
  r.mark(100_000).lose(2);
  assert.equal(r.state, 'REDUCING');
  r.mark(94_999.99);
  assert.deepEqual(r.stateChanges().map((e) => `${e.from}→${e.to}`), ['ACTIVE→REDUCING', 'REDUCING→HALTED']);
});

// ---- daily loss ---------------------------------------------------------------------------------------

test('daily loss (amount): a loss of exactly the limit is allowed, one cent more trips', () => {
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.mark(100_000).after(MINUTE).mark(99_000);
  assert.deepEqual(r.tripped(), []);
  r.after(MINUTE).mark(98_999.99);
  assert.deepEqual(r.tripped(), ['daily-loss']);
  assert.equal(r.trips()[0].reason, 'daily loss 1000.01 since the 17:00 America/New_York reset exceeds the limit of 1000.00');
});

test('daily loss (percent): a loss of exactly the percent of the day\'s starting equity is allowed, one cent more trips', () => {
  const r = rig({ dailyLoss: { maxLossPct: 2, ...NY_RESET, action: 'halt' } });
  r.mark(100_000).after(MINUTE).mark(98_000);
  assert.deepEqual(r.tripped(), []);
  r.after(MINUTE).mark(97_999.99);
  assert.deepEqual(r.tripped(), ['daily-loss']);
  assert.equal(r.trips()[0].reason, 'daily loss 2000.01 since the 17:00 America/New_York reset exceeds the limit of 2000.00 (2% of 100000.00)');
});

test('daily loss: with both an amount and a percent, the tighter limit decides', () => {
  const both = { maxLoss: money('1500'), maxLossPct: 2, ...NY_RESET, action: 'halt' } as const;
  const r = rig({ dailyLoss: both });
  r.mark(100_000).mark(98_500);
  assert.deepEqual(r.tripped(), []);
  r.mark(98_499.99);
  assert.deepEqual(r.tripped(), ['daily-loss'], '1500 is tighter than 2% of 100000');
  const rich = rig({ dailyLoss: both });
  rich.mark(50_000).mark(49_000);
  assert.deepEqual(rich.tripped(), []);
  rich.mark(48_999.99);
  assert.deepEqual(rich.tripped(), ['daily-loss'], '2% of 50000 = 1000 is tighter than 1500');
});

test('daily loss: the reset takes the equity standing at the reset time as the new day\'s baseline', () => {
  // Tuesday 2024-01-02, New York on EST (UTC-5): the 17:00 reset is 22:00 UTC.
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.at(Date.UTC(2024, 0, 2, 15)).mark(100_000);
  r.at(Date.UTC(2024, 0, 2, 21, 59, 59, 999)).mark(99_200); // 16:59:59.999: down 800 on the day
  assert.deepEqual(r.tripped(), []);
  // From 17:00 the day is measured from 99,200: a further 900 (1,700 since the morning) is inside the limit.
  r.at(Date.UTC(2024, 0, 2, 22)).mark(98_600);
  r.at(Date.UTC(2024, 0, 3, 15)).mark(98_300);
  assert.deepEqual(r.tripped(), []);
  r.at(Date.UTC(2024, 0, 3, 16)).mark(98_200);
  assert.deepEqual(r.tripped(), [], 'exactly 1000 below the 17:00 equity');
  r.at(Date.UTC(2024, 0, 3, 17)).mark(98_199.99);
  assert.deepEqual(r.tripped(), ['daily-loss']);
  assert.match(r.trips()[0].reason, /^daily loss 1000\.01 /);
});

test('daily loss: a move across the reset counts for the new day (an overnight gap is today\'s loss)', () => {
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.at(Date.UTC(2024, 0, 2, 20)).mark(100_000); // Tuesday 15:00 New York
  // Nothing until Wednesday's open, which gaps down 1000.01: the baseline is Tuesday 17:00's equity.
  r.at(Date.UTC(2024, 0, 3, 14, 30)).mark(98_999.99);
  assert.deepEqual(r.tripped(), ['daily-loss']);
});

/** Three equity samples around 21:00 UTC on one day; true when the daily-loss breaker tripped. */
function tripsAround2100Utc(year: number, month: number, day: number): boolean {
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.at(Date.UTC(year, month, day, 20)).mark(100_000);
  r.at(Date.UTC(year, month, day, 20, 59)).mark(99_500);
  // With a reset at 21:00 UTC the day starts at 99,500 (down 500.01); with one at 22:00 UTC it is still
  // the day that started at 100,000 (down 1000.01).
  r.at(Date.UTC(year, month, day, 21, 30)).mark(98_999.99);
  return r.tripped().length > 0;
}

test('daily loss: the 17:00 New York reset follows the wall clock across DST changes (22:00 UTC in winter, 21:00 UTC in summer)', () => {
  // US clocks sprang forward on Sunday 2024-03-10 and fell back on Sunday 2024-11-03.
  assert.equal(tripsAround2100Utc(2024, 2, 8), true, 'Friday 2024-03-08, EST: no reset at 21:00 UTC');
  assert.equal(tripsAround2100Utc(2024, 2, 11), false, 'Monday 2024-03-11, EDT: reset at 21:00 UTC');
  assert.equal(tripsAround2100Utc(2024, 10, 1), false, 'Friday 2024-11-01, EDT: reset at 21:00 UTC');
  assert.equal(tripsAround2100Utc(2024, 10, 4), true, 'Monday 2024-11-04, EST: no reset at 21:00 UTC');
});

test('daily loss: a run spanning the spring-forward weekend resets at 17:00 EDT on the Monday', () => {
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.at(Date.UTC(2024, 2, 8, 20)).mark(100_000); // Friday 15:00 EST
  r.at(Date.UTC(2024, 2, 8, 21, 30)).mark(99_100); // Friday 16:30 EST, down 900
  r.at(Date.UTC(2024, 2, 11, 20, 59)).mark(98_600); // Monday 16:59 EDT: the day started at Friday's close, down 500
  r.at(Date.UTC(2024, 2, 11, 21, 30)).mark(97_600); // Monday 17:30 EDT: the new day started at 98,600, down 1000
  assert.deepEqual(r.tripped(), []);
  r.at(Date.UTC(2024, 2, 11, 21, 31)).mark(97_599.99);
  assert.deepEqual(r.tripped(), ['daily-loss']);
});

test('daily loss: re-arming keeps the day\'s baseline, so a loss still past the limit trips again on the next sample', () => {
  const r = rig({ dailyLoss: { maxLoss: money('1000'), ...NY_RESET, action: 'halt' } });
  r.mark(100_000).mark(98_999.99);
  r.risk.rearm('alice', 'carry on');
  assert.equal(r.state, 'ACTIVE');
  r.after(MINUTE).mark(98_999.99);
  assert.equal(r.state, 'HALTED');
  assert.deepEqual(r.tripped(), ['daily-loss', 'daily-loss']);
});

// ---- drawdown -----------------------------------------------------------------------------------------

test('drawdown (percent): a fall of exactly the percent from the peak is allowed, one cent more trips', () => {
  const r = rig({ drawdown: { maxDrawdownPct: 10, action: 'halt' } });
  r.mark(100_000).mark(90_000);
  assert.deepEqual(r.tripped(), []);
  r.mark(89_999.99);
  assert.deepEqual(r.tripped(), ['drawdown']);
  assert.equal(r.trips()[0].reason, 'drawdown 10.00% from the equity peak of 100000.00 exceeds the limit of 10%');
});

test('drawdown (amount): measured from the highest equity seen, exactly the amount is allowed, one cent more trips', () => {
  const r = rig({ drawdown: { maxDrawdown: money('5000'), action: 'halt' } });
  r.mark(100_000).mark(120_000).mark(115_000);
  assert.deepEqual(r.tripped(), [], 'the peak is 120000; 20% above the start does not hide a fall from it');
  r.mark(114_999.99);
  assert.deepEqual(r.tripped(), ['drawdown']);
  assert.equal(r.trips()[0].reason, 'drawdown 5000.01 from the equity peak of 120000.00 exceeds the limit of 5000.00');
});

test('drawdown: re-arming restarts the peak at the current equity', () => {
  const r = rig({ drawdown: { maxDrawdown: money('5000'), action: 'halt' } });
  r.mark(100_000).mark(94_000);
  r.risk.rearm('alice', 'accepted the loss');
  r.mark(89_000);
  assert.equal(r.state, 'ACTIVE', 'measured from 94000 now: down exactly 5000');
  r.mark(88_999.99);
  assert.equal(r.state, 'HALTED');
});

// ---- losing streak ------------------------------------------------------------------------------------

test('losing streak: N-1 losing trades in a row are allowed, the N-th trips', () => {
  const r = rig({ losingStreak: { maxConsecutiveLosses: 3, action: 'halt' } });
  r.lose(2);
  assert.deepEqual(r.tripped(), []);
  r.lose();
  assert.deepEqual(r.tripped(), ['losing-streak']);
  assert.equal(r.trips()[0].reason, '3 losing trades in a row (limit 3)');
});

test('losing streak: a winning or break-even trade ends the streak', () => {
  const r = rig({ losingStreak: { maxConsecutiveLosses: 3, action: 'halt' } });
  r.lose(2).win().lose(2);
  r.risk.onTradeClosed(0);
  r.lose(2);
  assert.deepEqual(r.tripped(), []);
  r.lose();
  assert.deepEqual(r.tripped(), ['losing-streak']);
});

// ---- reject rate --------------------------------------------------------------------------------------

const REJECT_RATE = { maxRejectPct: 50, windowMs: MINUTE, minOrders: 4, action: 'halt' } as const;

test('reject rate: below minOrders answers even all rejects do not trip', () => {
  const r = rig({ rejectRate: REJECT_RATE });
  for (let i = 0; i < 3; i++) r.reject(r.submit());
  assert.deepEqual(r.tripped(), []);
  r.reject(r.submit());
  assert.deepEqual(r.tripped(), ['reject-rate'], 'the 4th answer makes the window count');
});

test('reject rate: exactly the percent is allowed, one reject more trips', () => {
  const r = rig({ rejectRate: REJECT_RATE });
  for (let i = 0; i < 5; i++) { r.accept(r.submit()); r.reject(r.submit()); }
  assert.deepEqual(r.tripped(), [], '5 of 10 = 50%');
  r.reject(r.submit());
  assert.deepEqual(r.tripped(), ['reject-rate'], '6 of 11 = 54.5%');
  assert.equal(r.trips()[0].reason, '6 of the last 11 venue answers were rejects (54.5%, limit 50% over 60 s)');
});

test('reject rate: answers leave the window when they are windowMs old', () => {
  const play = (lastAnswerAt: number) => {
    const r = rig({ rejectRate: REJECT_RATE });
    for (let i = 0; i < 3; i++) r.reject(r.submit());
    r.at(T0 + lastAnswerAt).accept(r.submit());
    return r.tripped();
  };
  assert.deepEqual(play(MINUTE - 1), ['reject-rate'], '3 rejects of 4 answers inside the window');
  assert.deepEqual(play(MINUTE), [], 'the rejects left the window: 1 answer, below minOrders');
});

// ---- stale data ---------------------------------------------------------------------------------------

const STALE = { maxAgeMs: 5 * SECOND, action: 'halt' } as const;

test('stale data: data exactly maxAgeMs old is allowed, 1 ms older trips (with a position)', () => {
  const r = rig({ staleData: STALE });
  r.data().hold();
  r.after(5 * SECOND).timer();
  assert.deepEqual(r.tripped(), []);
  r.after(1).timer();
  assert.deepEqual(r.tripped(), ['stale-data']);
  assert.equal(r.trips()[0].reason, 'ACME market data is stale (last data 5.001 s ago, limit 5 s) while the account has exposure there');
});

test('stale data: only instruments with exposure count; a working order is exposure', () => {
  const r = rig({ staleData: STALE });
  r.data('ACME').data('BETA');
  r.after(MINUTE).timer();
  assert.deepEqual(r.tripped(), [], 'no position and no orders: quiet data is fine');
  r.data('ACME');
  r.submit('BETA');
  r.timer();
  assert.deepEqual(r.tripped(), ['stale-data']);
  assert.match(r.trips()[0].reason, /^BETA market data is stale \(last data 60 s ago/);
});

test('stale data: exposure in an instrument that never had data trips', () => {
  const r = rig({ staleData: STALE });
  r.data('ACME').hold('BETA').timer();
  assert.deepEqual(r.tripped(), ['stale-data']);
  assert.match(r.trips()[0].reason, /^BETA market data is stale \(no data received/);
});

test('stale data: market data on another instrument runs the check too', () => {
  const r = rig({ staleData: STALE });
  r.data('ACME').hold('ACME');
  r.after(5 * SECOND).data('BETA');
  assert.deepEqual(r.tripped(), []);
  r.after(1).data('BETA');
  assert.deepEqual(r.tripped(), ['stale-data']);
});

// ---- venue disconnect ---------------------------------------------------------------------------------

test('venue disconnect: down for exactly the grace is allowed, 1 ms longer trips', () => {
  const r = rig({ venueDisconnect: { graceMs: 10 * SECOND, action: 'halt' } });
  r.disconnect();
  r.after(10 * SECOND).timer();
  assert.deepEqual(r.tripped(), []);
  r.after(1).timer();
  assert.deepEqual(r.tripped(), ['venue-disconnect']);
  assert.equal(r.trips()[0].reason, 'venue sim disconnected for 10.001 s (socket closed), grace 10 s');
});

test('venue disconnect: a reconnect inside the grace cancels it', () => {
  const r = rig({ venueDisconnect: { graceMs: 10 * SECOND, action: 'halt' } });
  r.disconnect().after(9 * SECOND).reconnect();
  r.after(MINUTE).timer();
  assert.deepEqual(r.tripped(), []);
});

test('venue disconnect: a repeated disconnect report does not restart the grace', () => {
  const r = rig({ venueDisconnect: { graceMs: 10 * SECOND, action: 'halt' } });
  r.disconnect().after(6 * SECOND).disconnect();
  r.after(4 * SECOND + 1).timer();
  assert.deepEqual(r.tripped(), ['venue-disconnect']);
});

test('venue disconnect: a grace of 0 trips at the disconnect itself', () => {
  const r = rig({ venueDisconnect: { graceMs: 0, action: 'halt' } });
  r.disconnect();
  assert.deepEqual(r.tripped(), ['venue-disconnect']);
  assert.equal(r.state, 'HALTED');
});

// ---- unknown orders -----------------------------------------------------------------------------------

test('unknown orders: maxUnknown at once is allowed, one more trips', () => {
  const r = rig({ unknownOrders: { maxUnknown: 2, action: 'halt' } });
  const [a, b, c] = [r.submit(), r.submit(), r.submit()];
  r.unknown(a);
  r.unknown(b);
  r.unknown(b); // the same order reported twice is one unknown order
  assert.deepEqual(r.tripped(), []);
  r.unknown(c);
  assert.deepEqual(r.tripped(), ['unknown-orders']);
  assert.equal(r.trips()[0].reason, '3 orders have an unknown outcome (limit 2)');
});

test('unknown orders: an order whose outcome becomes known no longer counts', () => {
  const r = rig({ unknownOrders: { maxUnknown: 2, action: 'halt' } });
  const [a, b, c, d] = [r.submit(), r.submit(), r.submit(), r.submit()];
  r.unknown(a);
  r.unknown(b);
  r.fill(a);
  r.unknown(c);
  r.cancel(b);
  r.unknown(d);
  assert.deepEqual(r.tripped(), []);
  assert.equal(r.risk.exposure.unknownOrders, 2);
});
