import type { Dimension, ParamValue } from '../param-space.ts';
import type { TrialResult } from '../trial.ts';
import { colorAt, escapeHtml, legendSvg, normaliser, short } from './svg.ts';

/**
 * The objective surface over two parameters as an SVG heatmap: one cell per pair of grid values, coloured by
 * the best objective among trials with that pair (the maximum over any other swept parameters), blank where
 * no trial ran (excluded by a constraint, not sampled, or failed); the optimum is outlined. Off a grid (a
 * continuous range) the trials are drawn as a scatter instead.
 */
export function surfaceSvg(x: Dimension, y: Dimension, trials: readonly TrialResult[], best: TrialResult | undefined): string {
  const scored = trials.filter((t) => t.objective !== null);
  if (!x.values || !y.values) return scatterSvg(x, y, scored, best);
  const cellMax = new Map<string, number>();
  for (const t of scored) {
    const key = `${x.values.indexOf(t.params[x.name])},${y.values.indexOf(t.params[y.name])}`;
    const prev = cellMax.get(key);
    if (prev === undefined || t.objective! > prev) cellMax.set(key, t.objective!);
  }
  const norm = normaliser([...cellMax.values()]);
  const cw = Math.max(8, Math.min(48, Math.floor(720 / x.values.length)));
  const ch = Math.max(8, Math.min(32, Math.floor(480 / y.values.length)));
  const left = 56;
  const top = 8;
  const w = left + cw * x.values.length + 8;
  const h = top + ch * y.values.length + 44;
  const parts: string[] = [];
  y.values.forEach((yv, j) => {
    const row = y.values!.length - 1 - j;
    x.values!.forEach((xv, i) => {
      const v = cellMax.get(`${i},${j}`);
      const isBest = best !== undefined && best.params[x.name] === xv && best.params[y.name] === yv;
      const fill = v === undefined ? '#f1f5f9' : colorAt(norm(v));
      parts.push(`<rect x="${left + i * cw}" y="${top + row * ch}" width="${cw}" height="${ch}" fill="${fill}"${isBest ? ' stroke="#dc2626" stroke-width="3"' : ''}>`
        + `<title>${escapeHtml(`${x.name}=${xv} ${y.name}=${yv}: ${v === undefined ? 'no trial' : short(v)}`)}</title></rect>`);
    });
  });
  const xl = tickLabels(x.values, cw).map(({ i, v }) => `<text x="${left + i * cw + cw / 2}" y="${top + ch * y.values!.length + 14}" font-size="11" text-anchor="middle">${escapeHtml(String(v))}</text>`);
  const yl = tickLabels(y.values, ch).map(({ i, v }) => `<text x="${left - 6}" y="${top + (y.values!.length - 1 - i) * ch + ch / 2 + 4}" font-size="11" text-anchor="end">${escapeHtml(String(v))}</text>`);
  const axes = `<text x="${left + (cw * x.values.length) / 2}" y="${h - 8}" font-size="12" text-anchor="middle" font-weight="600">${escapeHtml(x.name)}</text>`
    + `<text x="12" y="${top + (ch * y.values.length) / 2}" font-size="12" font-weight="600" transform="rotate(-90 12 ${top + (ch * y.values.length) / 2})" text-anchor="middle">${escapeHtml(y.name)}</text>`;
  const values = [...cellMax.values()];
  return `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="objective heatmap">${parts.join('')}${xl.join('')}${yl.join('')}${axes}</svg>`
    + (values.length ? `<div>${legendSvg(Math.min(...values), Math.max(...values), 'objective')}</div>` : '');
}

/** Label at most ~12 ticks so the axis stays readable. */
function tickLabels(values: readonly ParamValue[], cell: number): Array<{ i: number; v: ParamValue }> {
  const every = Math.max(1, Math.ceil(values.length / 12), Math.ceil(28 / cell));
  return values.map((v, i) => ({ i, v })).filter(({ i }) => i % every === 0 || i === values.length - 1);
}

function position(d: Dimension, v: ParamValue): number {
  if (d.values) return d.values.length > 1 ? d.values.indexOf(v) / (d.values.length - 1) : 0.5;
  const span = d.to! - d.from!;
  return span > 0 ? ((v as number) - d.from!) / span : 0.5;
}

function scatterSvg(x: Dimension, y: Dimension, scored: readonly TrialResult[], best: TrialResult | undefined): string {
  const norm = normaliser(scored.map((t) => t.objective!));
  const W = 640;
  const H = 420;
  const pad = 50;
  const dots = scored.map((t) => {
    const cx = pad + position(x, t.params[x.name]) * (W - 2 * pad);
    const cy = H - pad - position(y, t.params[y.name]) * (H - 2 * pad);
    const isBest = t === best;
    return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${isBest ? 7 : 4}" fill="${colorAt(norm(t.objective!))}"${isBest ? ' stroke="#dc2626" stroke-width="2"' : ''}><title>${escapeHtml(`#${t.id} ${x.name}=${t.params[x.name]} ${y.name}=${t.params[y.name]}: ${short(t.objective)}`)}</title></circle>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="objective by trial"><rect x="${pad}" y="${pad}" width="${W - 2 * pad}" height="${H - 2 * pad}" fill="none" stroke="#e2e8f0"/>${dots.join('')}`
    + `<text x="${W / 2}" y="${H - 12}" font-size="12" text-anchor="middle" font-weight="600">${escapeHtml(x.name)}</text><text x="14" y="${H / 2}" font-size="12" font-weight="600" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${escapeHtml(y.name)}</text></svg>`;
}

/**
 * Parallel coordinates for any number of parameters: one vertical axis per parameter plus the objective,
 * one line per trial coloured by its objective (best on top, in red).
 */
export function parallelCoordinatesSvg(dims: readonly Dimension[], trials: readonly TrialResult[], best: TrialResult | undefined): string {
  const scored = trials.filter((t) => t.objective !== null).sort((a, b) => a.objective! - b.objective! || b.id - a.id);
  const objectives = scored.map((t) => t.objective!);
  const norm = normaliser(objectives);
  const axes = dims.length + 1;
  const W = Math.max(480, 140 * axes);
  const H = 380;
  const top = 24;
  const bottom = 44;
  const x = (k: number): number => 40 + (k * (W - 80)) / (axes - 1);
  const y = (t: number): number => top + (1 - t) * (H - top - bottom);
  const lines = scored.map((t) => {
    const pts = dims.map((d, k) => `${x(k).toFixed(1)},${y(position(d, t.params[d.name])).toFixed(1)}`);
    pts.push(`${x(dims.length).toFixed(1)},${y(norm(t.objective!)).toFixed(1)}`);
    const isBest = t === best;
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${isBest ? '#dc2626' : colorAt(norm(t.objective!))}" stroke-width="${isBest ? 3 : 1}" stroke-opacity="${isBest ? 1 : 0.55}"/>`;
  });
  const axisSvg = [...dims.map((d) => d.name), 'objective'].map((name, k) => {
    const d = dims[k];
    const lo = d ? (d.values ? String(d.values[0]) : short(d.from)) : short(Math.min(...objectives));
    const hi = d ? (d.values ? String(d.values[d.values.length - 1]) : short(d.to)) : short(Math.max(...objectives));
    return `<line x1="${x(k)}" y1="${top}" x2="${x(k)}" y2="${H - bottom}" stroke="#334155"/>`
      + `<text x="${x(k)}" y="${top - 8}" font-size="11" text-anchor="middle">${escapeHtml(hi)}</text>`
      + `<text x="${x(k)}" y="${H - bottom + 14}" font-size="11" text-anchor="middle">${escapeHtml(lo)}</text>`
      + `<text x="${x(k)}" y="${H - 10}" font-size="12" text-anchor="middle" font-weight="600">${escapeHtml(name)}</text>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="parallel coordinates">${lines.join('')}${axisSvg.join('')}</svg>`;
}

/** The objective along one parameter (a sweep of a single parameter). */
export function profileSvg(d: Dimension, trials: readonly TrialResult[], best: TrialResult | undefined): string {
  const scored = trials.filter((t) => t.objective !== null).sort((a, b) => position(d, a.params[d.name]) - position(d, b.params[d.name]) || a.id - b.id);
  const norm = normaliser(scored.map((t) => t.objective!));
  const W = 640;
  const H = 300;
  const pad = 40;
  const pts = scored.map((t) => [pad + position(d, t.params[d.name]) * (W - 2 * pad), H - pad - norm(t.objective!) * (H - 2 * pad)] as const);
  const dots = scored.map((t, i) => `<circle cx="${pts[i][0].toFixed(1)}" cy="${pts[i][1].toFixed(1)}" r="${t === best ? 6 : 3}" fill="${t === best ? '#dc2626' : '#2563eb'}"><title>${escapeHtml(`${d.name}=${t.params[d.name]}: ${short(t.objective)}`)}</title></circle>`);
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="objective profile"><polyline fill="none" stroke="#93c5fd" points="${pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ')}"/>${dots.join('')}`
    + `<text x="${W / 2}" y="${H - 8}" font-size="12" text-anchor="middle" font-weight="600">${escapeHtml(d.name)}</text></svg>`;
}
