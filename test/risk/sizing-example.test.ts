import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keel, ORCL } from '../helpers/cli.ts';
import { loadMarketData } from '../../src/data/index.ts';
import { Atr } from '../../src/strategy/index.ts';
import type { BacktestResult } from '../../src/backtest/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-sizing-'));
const P = { atrPeriod: 20, stopAtr: 2, riskPct: 1, maxFraction: 0.3 };

// The example strategy sizes its own entries, so `--sizing units:1` must not leak into them. The check below
// rebuilds, from the data alone, the ATR the strategy saw on each signal bar, hence the stop distance it
// planned, and holds every entry to the risk budget and the cap at the equity of that moment.
test('the ATR risk-sizing example trades and never risks more than riskPct of equity on its stop', () => {
  const out = join(dir, 'result.json');
  const params = Object.entries(P).map(([k, v]) => `${k}=${v}`).join(',');
  const r = keel(['backtest', '--strategy', 'examples/strategies/atr-risk-sizing.ts', '--params', params, '--data', ORCL, '--sizing', 'units:1', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(out, 'utf8')) as BacktestResult;

  const entries = result.fills.filter((f) => f.tag === 'entry');
  assert.ok(entries.length > 20, `the example trades (${entries.length} entries)`);
  assert.ok(result.fills.some((f) => f.tag === 'stop-loss'), 'the ATR stop fires at least once');
  assert.ok(result.fills.some((f) => f.tag === 'exit'), 'the opposite signal exits at least once');
  assert.ok(entries.every((f) => f.quantity > 1), 'entries are sized by the strategy, not by --sizing units:1');

  const data = loadMarketData(ORCL);
  assert.equal(data.kind, 'bars');
  if (data.kind !== 'bars') return;
  const atr = new Atr(P.atrPeriod);
  const atrAt = data.bars.map((b) => atr.update(b.high, b.low, b.close));
  const curve = result.equityCurve;
  assert.equal(curve.time.length, data.bars.length);
  const tick = Number(result.instrument.priceTick);

  let capped = 0;
  let fullBudget = 0;
  for (const fill of entries) {
    // A market order decided on a bar's close fills at the next bar's open.
    const signal = curve.time.indexOf(fill.time) - 1;
    assert.ok(signal >= P.atrPeriod, `entry at ${fill.time} after the ATR warm-up`);
    const equity = curve.equity[signal];
    const budget = (equity * P.riskPct) / 100;
    const stopDistance = Math.max(P.stopAtr * atrAt[signal], tick);
    const risk = fill.quantity * stopDistance;
    assert.ok(risk <= budget * (1 + 1e-9), `${fill.time}: ${fill.quantity} × ${stopDistance} = ${risk} risks more than ${budget}`);
    const positionValue = fill.quantity * data.bars[signal].close;
    assert.ok(positionValue <= P.maxFraction * equity * (1 + 1e-9), `${fill.time}: position ${positionValue} above the cap`);
    // One more share would break the budget or the cap: the size is the largest allowed, not just a safe one.
    const oneMore = fill.quantity + 1;
    assert.ok(oneMore * stopDistance > budget || oneMore * data.bars[signal].close > P.maxFraction * equity, `${fill.time}: undersized`);
    if (risk < budget * 0.99) capped++;
    else fullBudget++;
  }
  assert.ok(capped > 0, 'the fraction cap binds on some entries');
  assert.ok(fullBudget > 0, 'some entries use the full risk budget');
});
