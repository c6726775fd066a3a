import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData } from '../../../src/data/index.ts';
import { defineInstrument, parseMoney, type Bar, type MarketEvent } from '../../../src/model/index.ts';
import { BUILT_IN_STRATEGIES, Strategy, type StrategyClass } from '../../../src/strategy/index.ts';
import { runBacktest } from '../../../src/backtest/index.ts';
import { checkLookahead, cutBars } from '../../../src/backtest/diagnostics/index.ts';
import { keelAsync, ORCL } from '../../helpers/cli.ts';

const data = loadMarketData(ORCL);
if (data.kind !== 'bars') throw new Error('bars');
const bars = data.bars.slice(0, 1500);
const instrument = defineInstrument({ id: 'ORCL', priceTick: '0.000001' });

/** The leak: a module-level array holding the whole series the run was given (as a vectorised precompute would). */
let WHOLE_SERIES: readonly MarketEvent[] = [];
class PeeksAtTomorrow extends Strategy<{}> {
  static override params = {};
  private i = 0;
  override onBar(bar: Bar): void {
    const tomorrow = WHOLE_SERIES[++this.i] as Bar | undefined;
    if (!tomorrow || this.hasOpenOrders()) return;
    if (tomorrow.close > bar.close && this.isFlat()) this.buy(10);
    else if (tomorrow.close < bar.close && this.isLong()) this.exitPosition();
  }
}

function check(cls: StrategyClass, params: Record<string, unknown>) {
  return checkLookahead({
    events: bars, strategy: cls, cuts: 15,
    run: (c, events) => {
      WHOLE_SERIES = events;
      runBacktest({ strategyId: 's', strategyClass: c, params, instrument, events, initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'all-in' } });
    },
  });
}

test('a strategy that reads the series ahead of the current bar is caught at the first cut', () => {
  const r = check(PeeksAtTomorrow as unknown as StrategyClass, {});
  assert.equal(r.verdict.kind, 'peeks');
  if (r.verdict.kind !== 'peeks') return;
  // At the cut bar the truncated run has no tomorrow, so the full run's decision there is missing.
  assert.equal(r.verdict.full?.ts, r.verdict.cutTs);
  assert.equal(r.verdict.truncated, null);
});

test('sma-cross is clean: every decision up to each cut survives removing the bars after it', () => {
  const r = check(BUILT_IN_STRATEGIES['sma-cross'], { fast: 10, slow: 30, short: true, ties: 'keep' });
  assert.deepEqual(r.verdict, { kind: 'clean' });
  assert.equal(r.cuts.length, 15);
  assert.ok(r.compared > 100, `${r.compared} decisions compared`);
});

test('cut points sit on the bars of the decisions, topped up evenly', () => {
  const cuts = cutBars(bars, [{ ts: bars[10].ts, action: 'submit', detail: '' }], 4);
  assert.equal(cuts.length, 4);
  assert.ok(cuts.includes(10));
});

test('keel check-lookahead: a clean file passes (exit 0), a file with a module-level cache is refused (exit 1)', async () => {
  const [clean, peek] = await Promise.all([
    keelAsync(['check-lookahead', '--strategy', 'test/fixtures/clean-momentum.ts', '--data', ORCL, '--cuts', '8']),
    keelAsync(['check-lookahead', '--strategy', 'test/fixtures/peek-cache.ts', '--data', ORCL, '--cuts', '8']),
  ]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /no lookahead found/);
  assert.equal(peek.code, 1, peek.stderr);
  assert.match(peek.stdout, /NOT REPEATABLE: two runs on the same data decide differently .* keeps state between runs/);
  const bad = await keelAsync(['check-lookahead', '--strategy', 'sma-cross', '--data', ORCL, '--cuts', '0']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'keel: --cuts = "0": must be at least 1\n');
});
