/**
 * The HTML report of an optimisation: what was searched, the diagnostics (is the optimum luck?), the
 * objective surface (a heatmap for two parameters, parallel coordinates for more, a profile for one), and
 * the top trials with their equity curves. One self-contained, offline file; the same sweep always renders
 * the same bytes.
 */
import { chartLibrarySource, jsonForScript, pageHtml } from '../../report/index.ts';
import type { SweepDiagnostics } from '../diagnose.ts';
import { describePoint, type ParamSpace } from '../param-space.ts';
import type { TrialResult } from '../trial.ts';
import { diagnosticsHtml } from './diagnostics-html.ts';
import { CURVE_COLORS, CURVES_SCRIPT, thinCurve } from './curves-script.ts';
import { parallelCoordinatesSvg, profileSvg, surfaceSvg } from './surface.ts';
import { escapeHtml, pct, short } from './svg.ts';

export interface SweepReportInput {
  readonly strategy: string;
  readonly instrument: string;
  readonly dataSource: string;
  /** `grid over fast=5..50:5,slow=20..200:10`, `tpe, 100 trials, seed 1`. */
  readonly searchText: string;
  readonly constraints: readonly string[];
  readonly objective: string;
  readonly space: ParamSpace;
  readonly trials: readonly TrialResult[];
  readonly best: TrialResult | undefined;
  readonly diagnostics: SweepDiagnostics;
  /** The top trials' equity curves (epoch-ms times), best first. */
  readonly curves: ReadonlyArray<{ readonly trial: TrialResult; readonly times: ArrayLike<number>; readonly equity: ArrayLike<number> }>;
}

/** @example writeFileSync('out/report.html', renderSweepReport(input)) */
export function renderSweepReport(r: SweepReportInput): string {
  const curves = r.curves.map((c, i) => ({ label: `#${c.trial.id} ${describePoint(c.trial.params)}`, color: CURVE_COLORS[i % CURVE_COLORS.length], width: i === 0 ? 3 : 1.5, ...thinCurve(c.times, c.equity) }));
  const body = [
    header(r),
    section('Is the optimum luck?', diagnosticsHtml(r.diagnostics)),
    section('Objective surface', surface(r)),
    section(`Top ${r.curves.length} trials`, topTable(r.curves.map((c) => c.trial), r.space) + '<h3>Equity curves</h3><div class="chart-box"><div id="curves-chart" class="chart tall"></div></div><p id="curves-legend" class="note"></p><noscript><p class="note">The chart needs JavaScript.</p></noscript>'),
    `<footer>Keel optimisation report · ${r.trials.length} trials · every trial ran the full engine; see trials.csv for all of them</footer>`,
  ].join('\n');
  return pageHtml({
    title: escapeHtml(`${r.strategy} · ${r.instrument} · Keel optimisation`),
    body,
    dataJson: jsonForScript({ curves }),
    scripts: [chartLibrarySource(), CURVES_SCRIPT],
  });
}

function section(title: string, html: string): string {
  return `<section><h2>${escapeHtml(title)}</h2>${html}</section>`;
}

function header(r: SweepReportInput): string {
  const b = r.best;
  const kpis = b?.metrics ? [
    ['best objective', short(b.objective)], ['Sharpe', short(b.metrics.sharpe)], ['return', pct(b.metrics.totalReturn)],
    ['max drawdown', pct(b.metrics.maxDrawdown)], ['trades', String(b.metrics.trades)],
    ['deflated Sharpe', short(r.diagnostics.deflatedSharpe?.deflatedSharpe)], ['PBO', pct(r.diagnostics.pbo?.pbo)],
  ].map(([k, v]) => `<div class="kpi"><span>${escapeHtml(k)}</span><b>${escapeHtml(v)}</b></div>`).join('') : '';
  return `<header class="report-header"><p class="eyebrow">Keel optimisation</p><h1>${escapeHtml(r.strategy)} · ${escapeHtml(r.instrument)}</h1>`
    + `<p class="subtitle">${escapeHtml(r.searchText)} · objective <b>${escapeHtml(r.objective)}</b>${r.constraints.length ? ` · constraint ${escapeHtml(r.constraints.join(' && '))}` : ''} · data ${escapeHtml(r.dataSource)}</p>`
    + (b ? `<ul class="params">${Object.entries(b.params).map(([k, v]) => `<li>${escapeHtml(`${k}=${v}`)}</li>`).join('')}</ul>` : '<p class="warning">No trial produced an objective.</p>')
    + `<div class="kpis">${kpis}</div></header>`;
}

function surface(r: SweepReportInput): string {
  const dims = r.space.dimensions;
  if (dims.length === 1) return profileSvg(dims[0], r.trials, r.best);
  const heat = `<h3>${escapeHtml(dims[0].name)} × ${escapeHtml(dims[1].name)}${dims.length > 2 ? ' (best over the other parameters)' : ''}</h3>${surfaceSvg(dims[0], dims[1], r.trials, r.best)}`;
  if (dims.length === 2) return heat + '<p class="note">Blank cells: no trial (excluded by a constraint, not sampled, or failed). Outlined: the optimum.</p>';
  return `<h3>Parallel coordinates</h3>${parallelCoordinatesSvg(dims, r.trials, r.best)}${heat}`;
}

function topTable(top: readonly TrialResult[], space: ParamSpace): string {
  const names = space.dimensions.map((d) => d.name);
  const head = ['#', ...names, 'objective', 'Sharpe', 'Sortino', 'return', 'CAGR', 'max DD', 'trades', 'win rate'];
  const rows = top.map((t) => [String(t.id), ...names.map((n) => String(t.params[n])), short(t.objective), short(t.metrics?.sharpe), short(t.metrics?.sortino),
    pct(t.metrics?.totalReturn), pct(t.metrics?.cagr), pct(t.metrics?.maxDrawdown), String(t.metrics?.trades ?? '—'), pct(t.metrics?.winRate)]);
  return `<div class="scroll"><table class="trades"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`
    + rows.map((r) => `<tr>${r.map((c, i) => `<td${i === 0 || i > names.length ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') + '</tbody></table></div>';
}
