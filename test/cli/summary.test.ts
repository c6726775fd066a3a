import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary, riskRows } from '../../src/cli/summary.ts';
import { busyRisk, fakePrices, fakeResult, QUIET_RISK } from '../helpers/backtest-result.ts';

const prices = fakePrices(200);

test('a run where the risk gate never intervened prints no risk line', () => {
  const text = formatSummary(fakeResult(prices, { risk: QUIET_RISK }));
  assert.doesNotMatch(text, /risk/);
  assert.match(text, /^exposure {2,}42\.00%\n$/m);
  assert.deepEqual(riskRows(QUIET_RISK), []);
});

test('the risk line totals denials per check and trips, then one line per trip, kill switch and operator change', () => {
  const text = formatSummary(fakeResult(prices, { risk: busyRisk() }));
  const lines = text.trimEnd().split('\n');
  const at = lines.findIndex((l) => l.startsWith('risk '));
  // Values line up with the other rows ("Sharpe / Sortino" is the widest key).
  const column = lines[0].indexOf('sma-cross');
  assert.equal(lines[at], 'risk'.padEnd(column) + '12 denials (price-collar 10, order-size 2) · 2 breaker trips · 1 kill switch · final state HALTED');
  assert.deepEqual(
    lines.slice(at + 1).map((l) => l.slice(column)),
    [
      '2020-02-10 breaker daily-loss → reduce: loss 2,310.00 USD is 2.3% of start-of-day equity; limit 2%',
      '2020-03-01 breaker drawdown → halt: drawdown 12.4% from peak 104,220.00; limit 10%',
      '2020-03-21 HALTED → ACTIVE by operator alice: reviewed <script>alert(1)</script> & resumed',
      '2020-04-30 14:00 kill switch by operator bob: venue feed frozen (3 canceled, 1 flatten order, 1 not flattened)',
    ],
  );
  for (const l of lines.slice(at + 1)) assert.equal(l.slice(0, column).trim(), '', 'event lines are indented under the values');
});

test('a run that only ended non-ACTIVE, or only had denials, says just that', () => {
  assert.deepEqual(riskRows({ ...QUIET_RISK, finalState: 'REDUCING' }), [['risk', 'final state REDUCING']]);
  assert.deepEqual(riskRows({ ...QUIET_RISK, denialsTotal: 1, denialsByCheck: { 'order-size': 1 } }), [['risk', '1 denial (order-size 1) · final state ACTIVE']]);
});

test('long breakdowns and event lists are cut, pointing at the report', () => {
  const byCheck = { a: 5, b: 4, c: 3, d: 2, e: 1, f: 1 };
  const trips = Array.from({ length: 10 }, (_, i) => ({ time: `2020-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`, breaker: `b${i}`, reason: 'r', action: 'halt' }));
  const rows = riskRows({ ...QUIET_RISK, denialsTotal: 16, denialsByCheck: byCheck, breakerTrips: trips, finalState: 'HALTED' });
  assert.equal(rows[0][1], '16 denials (a 5, b 4, c 3, d 2, +2 other) · 10 breaker trips · final state HALTED');
  assert.equal(rows.length, 1 + 8 + 1);
  assert.deepEqual(rows.at(-1), ['', '… 2 more in the report']);
});
