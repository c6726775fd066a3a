// Small DOM helpers for the dashboard. Text goes in through textContent only: nothing from the engine or a
// result file is ever parsed as HTML.

/** An element with text children or child elements. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

/** Replace a table's rows: `columns` are [heading, row => cell]. */
export function fillTable(table, columns, rows, empty = 'none') {
  table.replaceChildren(el('tr', {}, ...columns.map(([h]) => el('th', {}, h))));
  if (rows.length === 0) table.append(el('tr', {}, el('td', { colspan: String(columns.length), class: 'muted' }, empty)));
  for (const r of rows) table.append(el('tr', {}, ...columns.map(([, f]) => { const v = f(r); return el('td', {}, v instanceof Node ? v : v); })));
}

export function money(x, digits = 2) {
  const n = typeof x === 'string' ? Number(x) : x;
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
}

export function time(ts) {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}

/** An equity line over a drawdown histogram (lightweight-charts, loaded as a global by the page). */
export function equityChart(container) {
  const chart = LightweightCharts.createChart(container, { autoSize: true, layout: { attributionLogo: false } });
  const equity = chart.addSeries(LightweightCharts.LineSeries, { color: '#0969da', lineWidth: 2, priceScaleId: 'right' });
  const drawdown = chart.addSeries(LightweightCharts.HistogramSeries, { color: 'rgba(207,34,46,0.45)', priceScaleId: 'dd' });
  chart.priceScale('dd').applyOptions({ scaleMargins: { top: 0.75, bottom: 0 } });
  let last = -Infinity;
  return {
    /** Points {ts, equity, drawdownPct}; time must increase (later duplicates replace earlier ones). */
    set(points) {
      const eq = [], dd = [];
      for (const p of dedupe(points)) { eq.push({ time: p.t, value: p.equity }); dd.push({ time: p.t, value: -p.drawdownPct }); }
      equity.setData(eq); drawdown.setData(dd);
      last = eq.length ? eq[eq.length - 1].time : -Infinity;
      chart.timeScale().fitContent();
    },
    add(p) {
      const t = Math.floor(p.ts / 1000);
      if (t < last) return;
      last = t;
      equity.update({ time: t, value: p.equity }); drawdown.update({ time: t, value: -p.drawdownPct });
    },
  };
}

function dedupe(points) {
  const byTime = new Map();
  for (const p of points) byTime.set(Math.floor(p.ts / 1000), { ...p, t: Math.floor(p.ts / 1000) });
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}
