import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskRecord } from '../../src/backtest/result.ts';
import { renderReport } from '../../src/backtest/report/index.ts';
import { riskMarkers, tradingStateSpans } from '../../src/backtest/report/risk-markers.ts';
import { QUIET_LINE, riskSectionHtml, stateBadgeHtml } from '../../src/backtest/report/risk-section.ts';
import { busyRisk, DAY, embeddedData, fakePrices, fakeResult, QUIET_RISK, START } from '../helpers/backtest-result.ts';

const prices = fakePrices(200);
const render = (risk: RiskRecord): string => renderReport(fakeResult(prices, { risk }), prices);
/** The Risk section's markup alone. */
const riskSection = (html: string): string => {
  const m = /<section id="risk">[\s\S]*?<\/section>/.exec(html);
  assert.ok(m, 'risk section present');
  return m[0];
};
const sec = (day: number, hour = 0): number => (START + day * DAY + hour * 3_600_000) / 1000;

test('a quiet run gets one line, the source of its limits, and no tables or chart marks', () => {
  const html = render(QUIET_RISK);
  const section = riskSection(html);
  assert.ok(section.includes(QUIET_LINE));
  assert.equal(QUIET_LINE, 'No denials, no breaker trips; trading stayed ACTIVE.');
  assert.ok(section.includes('<span class="badge active">ACTIVE</span>'));
  assert.ok(section.includes('Limits: built-in defaults.'));
  assert.ok(!section.includes('<table'), 'no empty tables');
  assert.ok(!html.includes('class="warning"'), 'no warning in the header');
  const data = embeddedData(html) as { riskMarkers: unknown[]; tradingStates: { state: string[] } };
  assert.deepEqual(data.riskMarkers, []);
  assert.deepEqual(data.tradingStates.state, ['ACTIVE']);
});

test('the section lists denials by check, trips, state changes and the kill switch', () => {
  const section = riskSection(render(busyRisk()));
  assert.ok(section.includes('<span class="badge halted">HALTED</span><span>final trading state</span>'));
  assert.ok(section.includes('Limits: <code>risk/&lt;prod&gt;.yaml</code>.'), 'config source, escaped');
  const row = (cls: string): string[] => {
    const table = new RegExp(`<table class="trades ${cls}">[\\s\\S]*?</table>`).exec(section)?.[0] ?? '';
    return [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, '|').replace(/\|+/g, '|'));
  };
  assert.deepEqual(row('risk-checks').slice(1), ['|price-collar|10|83.3%|', '|order-size|2|16.7%|']);
  assert.deepEqual(row('risk-trips').slice(1), [
    '|2020-02-10|daily-loss|loss 2,310.00 USD is 2.3% of start-of-day equity; limit 2%|reduce| → REDUCING|',
    '|2020-03-01|drawdown|drawdown 12.4% from peak 104,220.00; limit 10%|halt| → HALTED|',
  ]);
  const states = row('risk-states').slice(1);
  assert.equal(states.length, 4);
  assert.equal(states[0], '|2020-02-10|ACTIVE| → |REDUCING|breaker daily-loss|daily-loss: loss 2,310.00 USD is 2.3% of start-of-day equity; limit 2%|');
  assert.ok(states[2].startsWith('|2020-03-21|HALTED| → |ACTIVE|operator alice|'));
  assert.deepEqual(row('risk-kills'), ['|Time|By|Reason|Canceled|Flatten orders|Not flattened|', '|2020-04-30 14:00|operator bob|venue feed frozen|3|1|XYZ.XNAS: 0.4 below the minimum notional|']);
  assert.equal(row('risk-denials').length, 1 + 12);
  assert.ok(row('risk-denials')[1].startsWith('|2020-01-11|O-1|price-collar|price 112.40 is 6.1%'));
  assert.ok(!section.includes('Showing'), 'no cap note when every denial is listed');
});

test('a reason containing markup stays inert text', () => {
  const html = render(busyRisk());
  assert.ok(!html.includes('<script>alert(1)</script>'), 'no raw script anywhere');
  assert.ok(riskSection(html).includes('reviewed &lt;script&gt;alert(1)&lt;/script&gt; &amp; resumed'));
  const section = riskSectionHtml({ ...QUIET_RISK, finalState: 'REDUCING', breakerTrips: [{ time: '2020-01-02T00:00:00Z', breaker: '<b>x</b>', reason: '"><img src=x>', action: '<i>' }] }, 'daily');
  assert.ok(!/<b>x|<img|<i>/.test(section), section);
  assert.ok(section.includes('<td class="mono">&lt;b&gt;x&lt;/b&gt;</td><td class="wrap">&quot;&gt;&lt;img src=x&gt;</td><td><b style="color:#7f1d1d">&lt;i&gt;</b></td>'));
});

test('a capped denial list says how many of the total it shows', () => {
  const section = riskSection(render(busyRisk({ denials: 1500, listLimit: 1000 })));
  assert.ok(section.includes('<h3>First 1,000 denials</h3>'));
  assert.ok(section.includes('Showing 1,000 of 1,500 denials'));
  assert.equal(section.match(/<tr><td>[^<]*<\/td><td class="mono">O-/g)?.length, 1000);
  assert.match(section, /<b>1,500<\/b><span>Denials<\/span>/);
});

test('the final state is a badge coloured per state, also in the header when not ACTIVE', () => {
  assert.equal(stateBadgeHtml('ACTIVE'), '<span class="badge active">ACTIVE</span>');
  assert.equal(stateBadgeHtml('REDUCING'), '<span class="badge reducing">REDUCING</span>');
  assert.equal(stateBadgeHtml('HALTED'), '<span class="badge halted">HALTED</span>');
  assert.equal(stateBadgeHtml('<x>'), '<span class="badge unknown">&lt;x&gt;</span>');
  for (const state of ['REDUCING', 'HALTED'] as const) {
    const html = render({ ...busyRisk(), finalState: state });
    assert.ok(riskSection(html).includes(`<span class="badge ${state.toLowerCase()}">${state}</span><span>final trading state</span>`));
    assert.match(html, new RegExp(`<p class="warning">The risk gate left trading <span class="badge ${state.toLowerCase()}">`));
  }
  // Denials alone (a run that stayed ACTIVE) get the full section, not the quiet line.
  const denied = render({ ...QUIET_RISK, denialsTotal: 1, denialsByCheck: { 'order-size': 1 }, denials: [busyRisk().denials[11]] });
  assert.ok(riskSection(denied).includes('<span class="badge active">ACTIVE</span><span>final trading state</span>'));
  assert.ok(!denied.includes(QUIET_LINE));
});

test('the equity chart marks trips, the kill switch and operator changes, and shades non-ACTIVE spans', () => {
  const html = render(busyRisk());
  const data = embeddedData(html) as { riskMarkers: { time: number; shape: string; color: string; text: string }[]; tradingStates: { time: number[]; state: string[] } };
  assert.deepEqual(
    data.riskMarkers.map((m) => [m.time, m.shape, m.color, m.text]),
    [
      [sec(40), 'arrowDown', '#d97706', 'daily-loss: reduce'],
      [sec(60), 'arrowDown', '#dc2626', 'drawdown: halt'],
      [sec(80), 'circle', '#16a34a', '→ ACTIVE'],
      // 14:00 on daily bars snaps to the bar that holds it.
      [sec(120), 'square', '#7f1d1d', 'Kill switch'],
    ],
  );
  assert.deepEqual(data.tradingStates, { time: [sec(0), sec(40), sec(60), sec(80), sec(120)], state: ['ACTIVE', 'REDUCING', 'HALTED', 'ACTIVE', 'HALTED'] });
  assert.match(html, /<span class="key"><i style="color:#d97706">▼<\/i> breaker trip \(reduce\)<\/span>/);
  assert.match(html, /<span class="key"><i style="color:#7f1d1d">■<\/i> kill switch<\/span>/);
});

test('risk markers snap into a downsampled curve and stay sorted', () => {
  const curve = [sec(0), sec(50), sec(100)];
  const markers = riskMarkers(busyRisk(), curve);
  assert.deepEqual(markers.map((m) => m.time), [sec(0), sec(50), sec(50), sec(100)]);
  assert.deepEqual(riskMarkers(busyRisk(), []), []);
  // Two changes inside one curve point keep where it ended up.
  assert.deepEqual(tradingStateSpans(busyRisk(), curve), { time: [sec(0), sec(50), sec(100)], state: ['REDUCING', 'ACTIVE', 'HALTED'] });
});

test('the metrics table shows the risk counts', () => {
  const html = render(busyRisk());
  const row = (label: string): string | undefined => new RegExp(`<th scope="row">${label}</th><td[^>]*>([^<]*)<`).exec(html)?.[1];
  assert.equal(row('Risk denials'), '12');
  assert.equal(row('Breaker trips'), '2');
});

test('a report with risk events is byte-identical when rendered twice', () => {
  const a = render(busyRisk({ denials: 1500, listLimit: 1000 }));
  const b = renderReport(fakeResult(fakePrices(200), { risk: busyRisk({ denials: 1500, listLimit: 1000 }) }), fakePrices(200));
  assert.equal(a, b);
});
