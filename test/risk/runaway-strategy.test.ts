import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData } from '../../src/data/index.ts';
import { buildResult, runBacktest, type BacktestResult, type BacktestRun } from '../../src/backtest/index.ts';
import { Strategy } from '../../src/strategy/index.ts';
import { defineInstrument, parseMoney, type Bar } from '../../src/model/index.ts';
import type { RiskConfig } from '../../src/risk/index.ts';
import { ORCL } from '../helpers/cli.ts';
import { money, riskConfig } from '../helpers/risk-config.ts';

/** A runaway: buys 1 share on the first bar and doubles the order on every bar after, whatever happens. */
class DoublingBuyer extends Strategy<Record<string, never>> {
  static override description = 'Buys 1 share on the first bar and doubles the quantity every bar.';

  /** What the strategy saw on each bar (its position, after that bar's fills) and how much it asked for. */
  readonly bars: Array<{ ts: number; position: number; asked: number }> = [];
  private quantity = 1;

  override onBar(bar: Bar): void {
    this.bars.push({ ts: bar.ts, position: this.position().quantity, asked: this.quantity });
    this.buy(this.quantity);
    this.quantity *= 2;
  }
}

const data = loadMarketData(ORCL);
if (data.kind !== 'bars') throw new Error(`${ORCL} should load as bars`);
const ALL_BARS = data.bars;
const INSTRUMENT = defineInstrument({ id: 'ORCL', priceTick: '0.01' });

/** The dot-com bust: ORCL fell from about 46 to about 11 between these dates. */
const FALLING = ALL_BARS.filter((b) => b.ts >= Date.UTC(2000, 8, 1) && b.ts < Date.UTC(2003, 0, 1));

function runaway(bars: readonly Bar[], risk: RiskConfig): { run: BacktestRun; result: BacktestResult; strategy: DoublingBuyer } {
  const run = runBacktest({
    strategyId: 'runaway', strategyClass: DoublingBuyer, params: {}, instrument: INSTRUMENT, events: bars,
    initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: 1 }, risk,
  });
  const result = buildResult(run, { strategyName: 'doubling-buyer', params: {}, dataSource: ORCL, dataLayout: data.layout, dataWarnings: 0, config: {} });
  return { run, result, strategy: run.strategy as DoublingBuyer };
}

test('runaway vs order-size and position limits: no order above the limit reaches the venue, the position never passes its limit, every refusal is counted', () => {
  const { run, result, strategy } = runaway(ALL_BARS, riskConfig({ instruments: { ORCL: { maxOrderQuantity: '1000', maxPositionQuantity: '600' } } }));

  assert.equal(strategy.bars.length, ALL_BARS.length, 'the strategy asked on every bar of 1995–2014');
  const sent = [...run.execution.orders.all()].filter((o) => o.status !== 'DENIED');
  for (const o of sent) assert.ok(o.request.quantity <= 1000, `${o.request.clientOrderId} for ${o.request.quantity} reached the venue`);
  for (const b of strategy.bars) assert.ok(b.position <= 600, `position ${b.position} on ${new Date(b.ts).toISOString()}`);
  // 1 + 2 + … + 256 = 511; the next doubling (512) would make 1023, past 600, and the one after (1024) is
  // past the order limit: the position stops at the largest total the doubling can reach inside the limit.
  assert.equal(strategy.bars.at(-1)!.position, 511);
  assert.deepEqual(result.openPositions.map((p) => p.quantity), [511]);
  assert.deepEqual(sent.map((o) => o.request.quantity), [1, 2, 4, 8, 16, 32, 64, 128, 256]);

  const denied = strategy.bars.length - sent.length;
  assert.equal(result.orders.submitted, sent.length);
  assert.equal(result.orders.denied, denied);
  assert.equal(result.risk.denialsTotal, denied);
  assert.equal(result.metrics.denials, denied);
  const byCheck = result.risk.denialsByCheck;
  assert.equal(Object.values(byCheck).reduce((s, n) => s + n, 0), denied);
  assert.equal(byCheck['position-limit'], 1);
  assert.ok(byCheck['order-size'] > 0);
  assert.match(result.risk.denials[0].reason, /^ORCL position would reach 1023 \(now 511, working 0\), above the limit of 600$/);
  assert.match(result.risk.denials[1].reason, /^Order quantity 1024 is above the ORCL limit of 1000 per order$/);
  assert.equal(result.risk.breakerTrips.length, 0);
  assert.equal(result.risk.finalState, 'ACTIVE');
});

/** Peak-to-trough fall of an equity curve at each point, in money. */
function drawdownAmounts(equity: readonly number[]): number[] {
  let peak = -Infinity;
  return equity.map((e) => { peak = Math.max(peak, e); return peak - e; });
}

const DRAWDOWN_LIMIT = 10_000;
/** The gate caps the size; the breaker caps the loss on what the gate let through. */
const gateAndKillOnDrawdown = riskConfig({
  instruments: { ORCL: { maxOrderQuantity: '1000', maxPositionQuantity: '1500' } },
  breakers: { drawdown: { maxDrawdown: money(DRAWDOWN_LIMIT), action: 'kill' } },
  killSwitch: { flatten: true },
});

test('runaway into a falling market vs a drawdown breaker with action kill: the loss stops within one bar\'s move of the limit, the kill switch flattens, nothing adds risk after the trip', () => {
  const { run, result, strategy } = runaway(FALLING, gateAndKillOnDrawdown);

  assert.equal(result.risk.breakerTrips.length, 1);
  const [trip] = result.risk.breakerTrips;
  assert.equal(trip.breaker, 'drawdown');
  assert.equal(trip.action, 'kill');
  assert.equal(result.risk.finalState, 'HALTED');
  assert.deepEqual(result.risk.killSwitch.map((k) => ({ by: k.by, flattenOrders: k.flattenOrders, notFlattened: k.notFlattened })),
    [{ by: 'breaker drawdown', flattenOrders: 1, notFlattened: [] }]);

  // The breaker samples equity at each bar's close, as the equity curve does: it trips at the first close
  // past the limit.
  const equity = result.equityCurve.equity;
  const dd = drawdownAmounts(equity);
  const t = result.equityCurve.time.indexOf(trip.time);
  assert.ok(t > 0, `the trip at ${trip.time} is on a bar of the run`);
  assert.equal(dd.findIndex((x) => x > DRAWDOWN_LIMIT), t, 'tripped on the first bar past the limit');

  // Damage past the limit comes from one bar: the position held since the trip bar's open, from the
  // highest of (last in-limit close, trip bar's open) down to the lowest of (trip bar's close, the flatten
  // fill at the next open). Only the doubling raised the position, so the position after the trip bar's
  // fill is the largest one that bar could lose on.
  const held = strategy.bars[t].position;
  const flatten = result.fills.filter((f) => f.tag === 'kill-switch');
  assert.equal(flatten.length, 1);
  assert.deepEqual({ side: flatten[0].side, quantity: flatten[0].quantity, time: flatten[0].time },
    { side: 'sell', quantity: held, time: result.equityCurve.time[t + 1] }, 'the whole position sold at the next open');
  const tripBarOpenFills = result.fills.filter((f) => f.time === trip.time).map((f) => f.price);
  const high = Math.max(FALLING[t - 1].close, ...tripBarOpenFills);
  const low = Math.min(FALLING[t].close, flatten[0].price);
  const oneBarAdverseMove = held * Math.max(0, high - low);
  const worst = Math.max(...dd);
  assert.ok(worst > DRAWDOWN_LIMIT, 'the run did need the breaker');
  // (1e-6: equity is a float sum of exact cash and float marks.)
  assert.ok(worst <= DRAWDOWN_LIMIT + oneBarAdverseMove + 1e-6,
    `worst drawdown ${worst.toFixed(2)} is past the limit ${DRAWDOWN_LIMIT} plus one bar's adverse move ${oneBarAdverseMove.toFixed(2)}`);
  const gateOnly = runaway(FALLING, riskConfig({ instruments: gateAndKillOnDrawdown.instruments })).result;
  const unguarded = Math.max(...drawdownAmounts(gateOnly.equityCurve.equity));
  assert.ok(unguarded > 2 * DRAWDOWN_LIMIT, `without the breaker the same run falls ${unguarded.toFixed(2)}`);

  // Flat after the kill, and nothing the runaway sent afterwards reached the venue.
  assert.deepEqual(result.openPositions, []);
  assert.ok(strategy.bars.slice(t + 1).every((b) => b.position === 0), 'flat from the bar after the trip on');
  const afterTrip = [...run.execution.orders.all()].filter((o) => o.request.createdAt >= FALLING[t].ts && o.request.tag !== 'kill-switch');
  assert.equal(afterTrip.length, FALLING.length - t, 'the runaway kept asking on every bar');
  assert.ok(afterTrip.every((o) => o.status === 'DENIED'));
  const firstAfterTrip = result.risk.denials.find((d) => Date.parse(d.time) >= FALLING[t].ts)!;
  assert.equal(firstAfterTrip.check, 'trading-state');
  assert.match(firstAfterTrip.reason, /^Trading is HALTED \(kill switch: drawdown: drawdown 1\d{4}\.\d\d from the equity peak/);
  assert.equal(result.risk.denialsTotal, [...run.execution.orders.all()].filter((o) => o.status === 'DENIED').length);

  // Every fill after the trip moved the position toward zero.
  let position = 0;
  for (const f of result.fills) {
    const before = position;
    position += f.side === 'buy' ? f.quantity : -f.quantity;
    if (Date.parse(f.time) > FALLING[t].ts) assert.ok(Math.abs(position) < Math.abs(before), `${f.clientOrderId} at ${f.time} added to the position`);
  }
  assert.equal(position, 0);
});

test('runaway: the same run twice gives byte-identical JSON results', () => {
  const first = JSON.stringify(runaway(FALLING, gateAndKillOnDrawdown).result);
  const second = JSON.stringify(runaway(FALLING, gateAndKillOnDrawdown).result);
  assert.equal(second, first);
  assert.ok(first.includes('"breaker":"drawdown"'), 'the compared run is the one with the breaker trip');
});
