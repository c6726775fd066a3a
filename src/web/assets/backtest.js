// Opens a finished backtest's result.json in the browser (never uploaded) and draws its equity and drawdown.
import { el, money, equityChart } from './dom.js';

const chart = equityChart(document.getElementById('chart'));
const message = document.getElementById('message');

document.getElementById('file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  try {
    const r = JSON.parse(await file.text());
    const c = r.equityCurve;
    if (!c || !Array.isArray(c.time) || !Array.isArray(c.equity)) throw new Error('it has no equityCurve: is it a keel backtest result.json?');
    chart.set(c.time.map((t, i) => ({ ts: Date.parse(t), equity: c.equity[i], drawdownPct: -(c.drawdown[i] ?? 0) * 100 })));
    const m = r.metrics ?? {};
    const card = (label, value) => el('div', { class: 'card' }, label, el('b', {}, value));
    document.getElementById('cards').replaceChildren(
      card('Strategy', r.strategy?.name ?? r.strategyName ?? '–'), card('Final equity', money(c.equity[c.equity.length - 1])),
      card('Total return', m.totalReturn == null ? '–' : `${(m.totalReturn * 100).toFixed(2)}%`),
      card('Max drawdown', m.maxDrawdown == null ? '–' : `${(m.maxDrawdown * 100).toFixed(2)}%`),
      card('Sharpe', m.sharpe == null ? '–' : m.sharpe.toFixed(2)), card('Points', String(c.time.length)),
    );
    message.textContent = `${file.name}: ${c.time.length} points`;
    message.className = 'muted';
  } catch (e) {
    message.textContent = `${file.name} cannot be shown: ${e.message}`;
    message.className = 'neg';
  }
});
