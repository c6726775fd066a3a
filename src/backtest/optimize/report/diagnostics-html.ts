import type { SweepDiagnostics } from '../diagnose.ts';
import { escapeHtml, pct, short } from './svg.ts';

/**
 * The diagnostics section: deflated Sharpe, PBO with the histogram of CSCV logits, and parameter stability,
 * each with a plain reading of what it means (docs/research.md has the details and the caveats).
 */
export function diagnosticsHtml(d: SweepDiagnostics): string {
  const parts: string[] = [];
  const dsr = d.deflatedSharpe;
  if (dsr) {
    parts.push(`<h3>Deflated Sharpe ratio</h3><table class="metrics narrow"><tbody>`
      + row('DSR: P(true Sharpe > SR0)', `<b>${short(dsr.deflatedSharpe)}</b>`)
      + row('PSR: P(true Sharpe > 0), one trial', short(dsr.probabilisticSharpe))
      + row('Sharpe of the best trial (per bar)', short(dsr.sharpe))
      + row('SR0, expected best Sharpe of N luck-only trials', short(dsr.expectedMaxSharpe))
      + row('N trials / variance of their Sharpe', `${dsr.trials} / ${short(dsr.sharpeVariance)}`)
      + row('T returns / skewness / kurtosis', `${dsr.observations} / ${short(dsr.skewness)} / ${short(dsr.kurtosis)}`)
      + `</tbody></table><p class="note">${escapeHtml(dsrReading(dsr.deflatedSharpe))}</p>`);
  }
  if (d.pbo) {
    parts.push(`<h3>Probability of backtest overfitting (CSCV)</h3><table class="metrics narrow"><tbody>`
      + row('PBO', `<b>${pct(d.pbo.pbo)}</b>`)
      + row('splits C(S, S/2) / blocks S', `${d.pbo.splits.toLocaleString('en-US')} / ${d.pbo.blocks}`)
      + row('OOS Sharpe vs IS Sharpe slope (degradation)', short(d.pbo.degradationSlope))
      + row('P(IS-best loses out of sample)', pct(d.pbo.probabilityOfLoss))
      + `</tbody></table>${logitHistogram(d.pbo.logits)}<p class="note">${escapeHtml(pboReading(d.pbo.pbo))}</p>`);
  } else if (d.pboSkipped) {
    parts.push(`<h3>Probability of backtest overfitting</h3><p class="note">Not computed: ${escapeHtml(d.pboSkipped)}.</p>`);
  }
  const s = d.stability;
  if (s) {
    parts.push(`<h3>Parameter stability</h3><table class="metrics narrow"><tbody>`
      + row('best objective', short(s.bestObjective))
      + row('neighbours (one step in every parameter)', String(s.neighbours))
      + row('their mean / worst objective', `${short(s.neighbourMean)} / ${short(s.neighbourWorst)}`)
      + row('share of the optimum the neighbours keep', pct(s.retained))
      + `</tbody></table>`
      + s.profiles.map((p) => `<p class="note"><b>${escapeHtml(p.name)}</b> (others at the optimum): ${p.points.map((q) => `${escapeHtml(String(q.value))}→${escapeHtml(short(q.objective))}`).join(' · ')}</p>`).join(''));
  }
  if (d.trialsFailed > 0) parts.push(`<p class="warning">${d.trialsFailed} trial(s) did not run; see the error column of trials.csv.</p>`);
  return parts.join('\n');
}

function row(k: string, v: string): string {
  return `<tr><th>${escapeHtml(k)}</th><td class="num">${v}</td></tr>`;
}

export function dsrReading(v: number): string {
  if (!Number.isFinite(v)) return 'Not defined for this trial (too few returns).';
  if (v >= 0.95) return 'The best trial\'s Sharpe is above what the number of trials would produce by luck, at 95% confidence.';
  if (v >= 0.5) return 'More likely than not above luck, but short of 95% confidence: treat the optimum with caution.';
  return 'The best Sharpe is what this many trials would produce by luck alone: no evidence of skill.';
}

export function pboReading(v: number): string {
  if (v < 0.2) return 'The in-sample winner usually stays in the top half out of sample.';
  if (v < 0.5) return 'The in-sample winner lands in the bottom half out of sample in a sizeable share of splits.';
  return 'The in-sample winner is as likely or more likely to be below median out of sample: the selection is overfit.';
}

/** Histogram of λ over the splits; bars left of zero are the overfit splits. */
function logitHistogram(logits: readonly number[]): string {
  if (logits.length === 0) return '';
  const lo = Math.min(...logits, -1);
  const hi = Math.max(...logits, 1);
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const l of logits) counts[Math.min(bins - 1, Math.floor(((l - lo) / (hi - lo)) * bins))]++;
  const max = Math.max(...counts);
  const W = 480;
  const H = 140;
  const bw = W / bins;
  const bars = counts.map((c, i) => {
    const h = max > 0 ? (c / max) * (H - 30) : 0;
    const center = lo + ((i + 0.5) / bins) * (hi - lo);
    return `<rect x="${(i * bw).toFixed(1)}" y="${(H - 20 - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${center <= 0 ? '#dc2626' : '#16a34a'}"/>`;
  });
  const zero = ((0 - lo) / (hi - lo)) * W;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="logit histogram">${bars.join('')}<line x1="${zero}" y1="0" x2="${zero}" y2="${H - 20}" stroke="#0f172a" stroke-dasharray="3 3"/>`
    + `<text x="0" y="${H - 4}" font-size="11">λ ${short(lo)}</text><text x="${zero}" y="${H - 4}" font-size="11" text-anchor="middle">0</text><text x="${W}" y="${H - 4}" font-size="11" text-anchor="end">${short(hi)}</text></svg>`;
}
