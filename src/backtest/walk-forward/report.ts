/**
 * The walk-forward HTML report: the stitched out-of-sample equity curve, and per window the training and
 * test periods, the parameters chosen in sample, in-sample vs out-of-sample figures, walk-forward efficiency
 * and the window's own deflated Sharpe and PBO.
 */
import { chartLibrarySource, jsonForScript, pageHtml } from '../report/index.ts';
import { CURVES_SCRIPT, escapeHtml, pct, short, thinCurve } from '../optimize/index.ts';
import type { WalkForwardResult } from './walk-forward.ts';

export interface WalkForwardReportInput {
  readonly strategy: string;
  readonly instrument: string;
  readonly dataSource: string;
  readonly planText: string;
  readonly searchText: string;
  readonly objective: string;
  readonly result: WalkForwardResult;
}

/** @example writeFileSync('out/wf/report.html', renderWalkForwardReport(input)) */
export function renderWalkForwardReport(r: WalkForwardReportInput): string {
  const res = r.result;
  const m = res.oosMetrics;
  const kpis = [
    ['OOS return', pct(m?.totalReturn)], ['OOS CAGR', pct(m?.cagr)], ['OOS Sharpe', short(m?.sharpe)], ['OOS max drawdown', pct(m?.maxDrawdown)],
    ['walk-forward efficiency', short(res.efficiency)], ['PSR of OOS (P(SR > 0))', short(res.oosProbabilisticSharpe)], ['windows', String(res.windows.length)],
  ].map(([k, v]) => `<div class="kpi"><span>${escapeHtml(k)}</span><b>${escapeHtml(v)}</b></div>`).join('');
  const head = ['#', 'train', 'test', 'chosen', 'IS objective', 'OOS objective', 'IS CAGR', 'OOS CAGR', 'efficiency', 'DSR', 'PBO', 'trials'];
  const rows = res.windows.map((w) => [
    String(w.window.index), `${w.trainStart.slice(0, 10)} → ${w.trainEnd.slice(0, 10)}`, `${w.testStart.slice(0, 10)} → ${w.testEnd.slice(0, 10)}`,
    w.best ? Object.entries(w.best).map(([k, v]) => `${k}=${v}`).join(' ') : '—', short(w.inSample.objective), short(w.outOfSample.objective),
    pct(w.inSample.metrics?.cagr), pct(w.outOfSample.metrics?.cagr), short(w.efficiency), short(w.diagnostics.deflatedSharpe?.deflatedSharpe),
    pct(w.diagnostics.pbo?.pbo), String(w.trials),
  ]);
  const table = `<div class="scroll"><table class="trades"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`
    + rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') + '</tbody></table></div>';
  const body = [
    `<header class="report-header"><p class="eyebrow">Keel walk-forward</p><h1>${escapeHtml(r.strategy)} · ${escapeHtml(r.instrument)}</h1>`
      + `<p class="subtitle">${escapeHtml(r.planText)} · ${escapeHtml(r.searchText)} · objective <b>${escapeHtml(r.objective)}</b> · data ${escapeHtml(r.dataSource)}</p><div class="kpis">${kpis}</div></header>`,
    `<section><h2>Out-of-sample equity (test windows stitched)</h2><div class="chart-box"><div id="curves-chart" class="chart tall"></div></div><p id="curves-legend" class="note"></p>`
      + `<p class="note">Each test window is traded with the parameters chosen on the training window before it. The strategy is warmed up on the training tail (it sees those bars; its orders are suppressed) so its indicators are ready at the first test bar. Each window starts flat with the previous window's final equity.</p></section>`,
    `<section><h2>In sample vs out of sample, per window</h2>${table}<p class="note">Efficiency: OOS CAGR / IS CAGR of the chosen parameters (Pardo). DSR and PBO are those of each window's own optimisation.</p></section>`,
    `<footer>Keel walk-forward report · ${res.trialsRun} trials over ${res.windows.length} windows</footer>`,
  ].join('\n');
  const curve = thinCurve(res.oos.times, res.oos.equity);
  return pageHtml({
    title: escapeHtml(`${r.strategy} · ${r.instrument} · Keel walk-forward`),
    body,
    dataJson: jsonForScript({ curves: [{ label: 'out-of-sample equity', color: '#2563eb', width: 2, ...curve }] }),
    scripts: [chartLibrarySource(), CURVES_SCRIPT],
  });
}

/** `windows.csv`: one row per window. */
export function windowsCsv(res: WalkForwardResult, names: readonly string[]): string {
  const head = ['window', 'train_start', 'train_end', 'test_start', 'test_end', 'warm_up_bars', ...names, 'is_objective', 'oos_objective', 'is_cagr', 'oos_cagr', 'is_sharpe', 'oos_sharpe', 'efficiency', 'dsr', 'pbo', 'trials'];
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  const lines = [head.join(',')];
  for (const w of res.windows) {
    lines.push([w.window.index, w.trainStart, w.trainEnd, w.testStart, w.testEnd, w.outOfSample.warmUpBars, ...names.map((n) => w.best?.[n]),
      w.inSample.objective, w.outOfSample.objective, w.inSample.metrics?.cagr, w.outOfSample.metrics?.cagr, w.inSample.metrics?.sharpe, w.outOfSample.metrics?.sharpe,
      w.efficiency, w.diagnostics.deflatedSharpe?.deflatedSharpe, w.diagnostics.pbo?.pbo, w.trials].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** `oos-equity.csv`: time,equity of the stitched out-of-sample curve (readable by keel analyze). */
export function oosEquityCsv(res: WalkForwardResult): string {
  const lines = ['time,equity'];
  for (let i = 0; i < res.oos.times.length; i++) lines.push(`${new Date(res.oos.times[i]).toISOString()},${res.oos.equity[i]}`);
  return lines.join('\n') + '\n';
}
