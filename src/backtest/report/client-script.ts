/**
 * The browser side of the report: reads the embedded JSON and draws the charts with the inlined
 * lightweight-charts (`window.LightweightCharts`). Kept as plain ES2020 in a string because it runs in the
 * page, not in Node; it must not contain `</script`, template-literal syntax or anything non-deterministic
 * at render time (it is the same bytes in every report).
 *
 * Charts: equity (area) over drawdown (baseline at 0%), synced by logical index since they share one time
 * axis, with a shared crosshair; risk events are marked on the equity curve and REDUCING / HALTED periods
 * shaded behind it; then price candles with trade markers. Times are UTC seconds; daily data
 * shows dates only (`timeVisible` off), intraday shows clock times. All times display in UTC.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('keel-report-data').textContent);
  var intraday = data.scale === 'intraday';
  var FONT = getComputedStyle(document.body).fontFamily;
  var money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var priceDigits = Math.min(8, Math.max(0, (String(data.priceTick).split('.')[1] || '').length));

  function timeText(t) {
    var s = new Date(t * 1000).toISOString();
    return intraday ? s.slice(0, 10) + ' ' + s.slice(11, 16) : s.slice(0, 10);
  }

  function makeChart(id) {
    return LC.createChart(document.getElementById(id), {
      autoSize: true,
      layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#475569', fontFamily: FONT, fontSize: 12, attributionLogo: false },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      // Same scale width on every chart so their time axes line up vertically.
      rightPriceScale: { borderColor: '#e2e8f0', minimumWidth: 90 },
      timeScale: { borderColor: '#e2e8f0', timeVisible: intraday, secondsVisible: false, minBarSpacing: 0.01 },
      crosshair: { mode: LC.CrosshairMode.Normal },
      localization: { timeFormatter: timeText },
      handleScale: { axisPressedMouseMove: { time: true, price: false } },
    });
  }

  function byTime(times, values) {
    var m = new Map();
    for (var i = 0; i < times.length; i++) m.set(times[i], values[i]);
    return m;
  }

  function indexByTime(times) {
    var m = new Map();
    for (var i = 0; i < times.length; i++) m.set(times[i], i);
    return m;
  }

  function legend(id, html) { document.getElementById(id).innerHTML = html; }

  // Translucent versions of the state colours in risk-markers.ts (STATE_COLORS); ACTIVE is left unshaded.
  var STATE_FILL = { REDUCING: 'rgba(217, 119, 6, 0.14)', HALTED: 'rgba(220, 38, 38, 0.12)' };

  function stateAt(spans, t) {
    var k = 0;
    while (k + 1 < spans.time.length && spans.time[k + 1] <= t) k++;
    return spans.state[k];
  }

  // A flat area on a hidden 0..1 scale fills the pane's height without the gaps histogram bars leave
  // between sparse bars; each point's colour is its trading state's, clear while ACTIVE.
  function shadeTradingStates(chart, times, spans) {
    var clear = 'rgba(0, 0, 0, 0)';
    var area = chart.addSeries(LC.AreaSeries, {
      priceScaleId: 'trading-state', lineVisible: false, lineColor: clear, topColor: clear, bottomColor: clear,
      lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false,
      autoscaleInfoProvider: function () { return { priceRange: { minValue: 0, maxValue: 1 } }; },
    });
    var k = 0;
    area.setData(times.map(function (t) {
      while (k + 1 < spans.time.length && spans.time[k + 1] <= t) k++;
      var fill = STATE_FILL[spans.state[k]] || clear;
      return { time: t, value: 1, topColor: fill, bottomColor: fill };
    }));
    chart.priceScale('trading-state').applyOptions({ scaleMargins: { top: 0, bottom: 0 } });
  }

  // Equity and drawdown.
  var curve = data.curve;
  if (curve.time.length > 0) {
    var eqChart = makeChart('equity-chart');
    var spans = data.tradingStates;
    var stopped = spans.state.some(function (s) { return s !== 'ACTIVE'; });
    // Added before the curve so it is drawn behind it; its own hidden scale makes the bars span the pane.
    if (stopped) shadeTradingStates(eqChart, curve.time, spans);
    var eq = eqChart.addSeries(LC.AreaSeries, {
      lineColor: '#2563eb', topColor: 'rgba(37, 99, 235, 0.28)', bottomColor: 'rgba(37, 99, 235, 0.03)', lineWidth: 2,
      // Whole units on the axis keep it narrow for large accounts; the legend shows cents.
      priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return Math.abs(v) >= 10000 ? whole.format(v) : money.format(v); } },
    });
    eq.setData(curve.time.map(function (t, i) { return { time: t, value: curve.equity[i] }; }));
    eq.createPriceLine({ price: data.initialCash, color: '#94a3b8', lineWidth: 1, lineStyle: LC.LineStyle.Dashed, axisLabelVisible: true, title: 'start' });
    if (data.riskMarkers.length > 0) LC.createSeriesMarkers(eq, data.riskMarkers);

    var ddChart = makeChart('drawdown-chart');
    var dd = ddChart.addSeries(LC.BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: '#dc2626', topFillColor1: 'rgba(0,0,0,0)', topFillColor2: 'rgba(0,0,0,0)',
      bottomLineColor: '#dc2626', bottomFillColor1: 'rgba(220, 38, 38, 0.08)', bottomFillColor2: 'rgba(220, 38, 38, 0.35)',
      lineWidth: 1, lastValueVisible: false, priceLineVisible: false,
      priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return v.toFixed(1) + '%'; } },
    });
    dd.setData(curve.time.map(function (t, i) { return { time: t, value: curve.drawdownPct[i] }; }));
    ddChart.priceScale('right').applyOptions({ scaleMargins: { top: 0.05, bottom: 0.05 } });

    var pair = [[eqChart, eq, byTime(curve.time, curve.equity)], [ddChart, dd, byTime(curve.time, curve.drawdownPct)]];
    // Each chart mirrors its zoom and crosshair onto the other; the flag stops the echo coming back.
    var mirroring = false;
    pair.forEach(function (self, k) {
      var other = pair[1 - k];
      self[0].timeScale().subscribeVisibleLogicalRangeChange(function (range) {
        if (mirroring || !range) return;
        mirroring = true;
        other[0].timeScale().setVisibleLogicalRange(range);
        mirroring = false;
      });
      self[0].subscribeCrosshairMove(function (p) {
        if (mirroring) return;
        mirroring = true;
        if (p.time === undefined) other[0].clearCrosshairPosition();
        else other[0].setCrosshairPosition(other[2].get(p.time), p.time, other[1]);
        mirroring = false;
        legendCurve(p.time === undefined ? null : p.time);
      });
    });
    var curveIndex = indexByTime(curve.time);
    function legendCurve(t) {
      var i = t === null ? curve.time.length - 1 : curveIndex.get(t);
      if (i === undefined) return;
      var state = stopped ? stateAt(spans, curve.time[i]) : '';
      legend('equity-legend', '<span>' + timeText(curve.time[i]) + '</span> Equity <b>' + money.format(curve.equity[i]) +
        '</b> Drawdown <b class="neg">' + curve.drawdownPct[i].toFixed(2) + '%</b>' +
        (stopped ? ' Trading <b class="state-' + state.toLowerCase() + '">' + state + '</b>' : ''));
    }
    legendCurve(null);
    eqChart.timeScale().fitContent();
  }

  // Price with trade markers.
  var c = data.candles;
  if (c.time.length > 0) {
    var pxChart = makeChart('price-chart');
    var px = pxChart.addSeries(LC.CandlestickSeries, {
      // Neutral candles so the green/red trade markers stand out.
      upColor: '#e2e8f0', borderUpColor: '#64748b', wickUpColor: '#64748b',
      downColor: '#64748b', borderDownColor: '#64748b', wickDownColor: '#64748b',
      priceFormat: { type: 'price', precision: priceDigits, minMove: Math.pow(10, -priceDigits) },
    });
    px.setData(c.time.map(function (t, i) { return { time: t, open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] }; }));
    LC.createSeriesMarkers(px, data.markers);
    LC.createTextWatermark(pxChart.panes()[0], {
      horzAlign: 'center', vertAlign: 'center',
      lines: [{ text: data.instrument, color: 'rgba(100, 116, 139, 0.12)', fontSize: 56 }],
    });
    function legendPrice(i) {
      var f = function (v) { return v.toFixed(priceDigits); };
      legend('price-legend', '<span>' + timeText(c.time[i]) + '</span> O <b>' + f(c.open[i]) + '</b> H <b>' + f(c.high[i]) +
        '</b> L <b>' + f(c.low[i]) + '</b> C <b>' + f(c.close[i]) + '</b>');
    }
    var candleIndex = indexByTime(c.time);
    pxChart.subscribeCrosshairMove(function (p) {
      var i = p.time === undefined ? undefined : candleIndex.get(p.time);
      legendPrice(i === undefined ? c.time.length - 1 : i);
    });
    legendPrice(c.time.length - 1);
    // A little room on both sides so the first and last markers' labels are not clipped.
    var pad = Math.max(2, Math.round(c.time.length * 0.015));
    pxChart.timeScale().setVisibleLogicalRange({ from: -pad, to: c.time.length - 1 + 3 * pad });
  }
})();
`;
