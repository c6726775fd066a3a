/**
 * Browser code of the research reports: draws `data.curves` (equity curves) as line series on one
 * lightweight-charts chart in `#curves-chart`, with a legend. Plain ES2020 in a string, the same bytes in
 * every report (see backtest/report/client-script.ts for the rules).
 */
export const CURVES_SCRIPT = String.raw`
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('keel-report-data').textContent);
  var el = document.getElementById('curves-chart');
  if (!el || !data.curves || !data.curves.length) return;
  var chart = LC.createChart(el, {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#475569', fontSize: 12, attributionLogo: false },
    grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
    rightPriceScale: { borderColor: '#e2e8f0', minimumWidth: 90 },
    timeScale: { borderColor: '#e2e8f0', timeVisible: false },
  });
  var legend = [];
  data.curves.forEach(function (c) {
    var s = chart.addSeries(LC.LineSeries, { color: c.color, lineWidth: c.width || 2, priceLineVisible: false, lastValueVisible: false });
    s.setData(c.time.map(function (t, i) { return { time: t, value: c.value[i] }; }));
    legend.push('<span class="key"><i style="color:' + c.color + '">&#9632;</i>' + c.label.replace(/[&<>"]/g, function (ch) { return '&#' + ch.charCodeAt(0) + ';'; }) + '</span>');
  });
  chart.timeScale().fitContent();
  var key = document.getElementById('curves-legend');
  if (key) key.innerHTML = legend.join('');
})();
`;

/** Distinct colours for up to ten curves (the best first, in red). */
export const CURVE_COLORS = ['#dc2626', '#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#a16207'];

/** Thin a curve to at most `max` points (every k-th, keeping the last) and convert times to UTC seconds. */
export function thinCurve(times: ArrayLike<number>, values: ArrayLike<number>, max = 2000): { time: number[]; value: number[] } {
  const n = times.length;
  const step = Math.max(1, Math.ceil(n / max));
  const time: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i += step) { time.push(Math.floor(times[i] / 1000)); value.push(Math.round(values[i] * 100) / 100); }
  if (n > 0 && (n - 1) % step !== 0) { time.push(Math.floor(times[n - 1] / 1000)); value.push(Math.round(values[n - 1] * 100) / 100); }
  // lightweight-charts needs strictly increasing times (intraday bars share a second only if sub-second).
  for (let i = time.length - 1; i > 0; i--) if (time[i] <= time[i - 1]) { time.splice(i, 1); value.splice(i, 1); }
  return { time, value };
}
