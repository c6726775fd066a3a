import type { PostTradeReport } from './post-trade-report.ts';

/**
 * The post-trade report as one self-contained HTML page (no script, no network): the PnL waterfall, slippage
 * and extra delay per matched trade as charts (inline SVG), then the trade-by-trade table and the per-order
 * transaction costs.
 *
 * @example writeFileSync('analysis/report.html', postTradeHtml(report));
 */
export function postTradeHtml(r: PostTradeReport): string {
  const matched = r.trades.filter((t) => t.kind === 'matched');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keel post-trade analysis: ${esc(r.sessionLabel)} vs ${esc(r.benchmarkLabel)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse;font-size:12px}
td,th{border-bottom:1px solid #e3e6ea;padding:3px 8px;text-align:right}th{background:#f5f7f9}td.l,th.l{text-align:left}
.neg{color:#b3261e}.pos{color:#1a7f37}.meta{color:#57606a}svg text{font:11px system-ui,sans-serif}
</style></head><body>
<h1>Post-trade analysis: ${esc(r.sessionLabel)} vs ${esc(r.benchmarkLabel)} of the same market</h1>
<p class="meta">${esc(r.strategy.id)} ${esc(r.strategy.version ?? '(no orders)')} · ${esc(r.instrument)} · ${esc(r.period.from)} → ${esc(r.period.to)} · ${r.period.marketEvents} market events replayed from ${esc(r.journal)}${r.strategy.version !== undefined && r.strategy.version !== r.strategy.benchmarkVersion ? ` · <strong class="neg">the benchmark ran ${esc(r.strategy.benchmarkVersion)}</strong>` : ''}</p>
<p>${esc(r.benchmarkLabel)} PnL <b>${esc(r.pnl.benchmark)}</b>, ${esc(r.sessionLabel)} PnL <b>${esc(r.pnl.session)}</b> ${esc(r.currency)} (gap ${esc(r.pnl.gap)}; positions marked at ${r.markPrice}).
${r.summary.matched} trades matched, ${r.summary.missedSignals} missed signals, ${r.summary.extra} extra, ${r.summary.partialFills} partial fills, ${r.summary.missedFills} missed fills;
mean slippage ${r.summary.meanSlippageBps ?? '—'} bps, mean extra delay ${r.summary.meanExtraDelayMs === null ? '—' : `${(r.summary.meanExtraDelayMs / 1000).toFixed(0)} s of market time`}.</p>
<h2>Where the PnL went</h2>
${waterfallSvg(r)}
<h2>Slippage per matched trade (bps, positive = worse than the ${esc(r.benchmarkLabel)})</h2>
${barsSvg(matched.map((t) => ({ label: String(t.decidedAt).slice(0, 10), value: (t.slippageBps as number | null) ?? 0 })), 'bps')}
<h2>Extra fill delay per matched trade (market hours)</h2>
${barsSvg(matched.map((t) => ({ label: String(t.decidedAt).slice(0, 10), value: ((t.extraDelayMs as number | null) ?? 0) / 3_600_000 })), 'h')}
<h2>Trade by trade</h2>
${tradesTable(r)}
<h2>Transaction costs per order</h2>
${costsTable(r)}
</body></html>
`;
}

function waterfallSvg(r: PostTradeReport): string {
  const W = 900, H = 320, pad = { l: 90, r: 20, t: 20, b: 50 };
  const steps = r.waterfall.map((s) => ({ ...s, value: Number(s.amount) }));
  let running = 0;
  const bars = steps.map((s) => {
    const from = s.kind === 'total' ? 0 : running;
    const to = s.kind === 'total' ? s.value : running + s.value;
    running = to;
    return { label: s.step, from, to, value: s.value, kind: s.kind };
  });
  const lo = Math.min(0, ...bars.flatMap((b) => [b.from, b.to]));
  const hi = Math.max(0, ...bars.flatMap((b) => [b.from, b.to]));
  const span = hi - lo || 1;
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - (v - lo) / span);
  const bw = (W - pad.l - pad.r) / bars.length;
  const parts = bars.map((b, i) => {
    const x = pad.l + i * bw + bw * 0.15;
    const top = y(Math.max(b.from, b.to));
    const h = Math.max(1, Math.abs(y(b.from) - y(b.to)));
    const fill = b.kind === 'total' ? '#4a6fa5' : b.value < 0 ? '#c0392b' : '#2e8b57';
    const link = i + 1 < bars.length ? `<line x1="${f(x + bw * 0.7)}" x2="${f(x + bw)}" y1="${f(y(b.to))}" y2="${f(y(b.to))}" stroke="#999" stroke-dasharray="3 2"/>` : '';
    return `<rect x="${f(x)}" y="${f(top)}" width="${f(bw * 0.7)}" height="${f(h)}" fill="${fill}"><title>${esc(b.label)}: ${b.value.toFixed(2)}</title></rect>${link}
<text x="${f(x + bw * 0.35)}" y="${f(top - 4)}" text-anchor="middle">${b.value.toFixed(2)}</text>
<text x="${f(x + bw * 0.35)}" y="${H - pad.b + 16}" text-anchor="middle">${esc(b.label)}</text>`;
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="PnL waterfall">
<line x1="${pad.l}" x2="${W - pad.r}" y1="${f(y(0))}" y2="${f(y(0))}" stroke="#333"/>
<text x="${pad.l - 6}" y="${f(y(hi) + 4)}" text-anchor="end">${hi.toFixed(2)}</text><text x="${pad.l - 6}" y="${f(y(lo) + 4)}" text-anchor="end">${lo.toFixed(2)}</text>
${parts.join('\n')}
</svg>`;
}

function barsSvg(points: ReadonlyArray<{ label: string; value: number }>, unit: string): string {
  if (points.length === 0) return '<p class="meta">no matched trades</p>';
  const W = 900, H = 200, pad = { l: 60, r: 10, t: 14, b: 36 };
  const lo = Math.min(0, ...points.map((p) => p.value));
  const hi = Math.max(0, ...points.map((p) => p.value));
  const span = hi - lo || 1;
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - (v - lo) / span);
  const bw = (W - pad.l - pad.r) / points.length;
  const every = Math.max(1, Math.ceil(points.length / 12));
  const rects = points.map((p, i) => {
    const x = pad.l + i * bw;
    const top = y(Math.max(0, p.value));
    const label = i % every === 0 ? `<text x="${f(x + bw / 2)}" y="${H - pad.b + 14}" text-anchor="middle">${esc(p.label)}</text>` : '';
    return `<rect x="${f(x + bw * 0.1)}" y="${f(top)}" width="${f(Math.max(1, bw * 0.8))}" height="${f(Math.max(1, Math.abs(y(p.value) - y(0))))}" fill="${p.value > 0 ? '#c0392b' : '#2e8b57'}"><title>${esc(p.label)}: ${p.value.toFixed(2)} ${unit}</title></rect>${label}`;
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">
<line x1="${pad.l}" x2="${W - pad.r}" y1="${f(y(0))}" y2="${f(y(0))}" stroke="#333"/>
<text x="${pad.l - 6}" y="${f(y(hi) + 4)}" text-anchor="end">${hi.toFixed(1)} ${unit}</text><text x="${pad.l - 6}" y="${f(y(lo) + 4)}" text-anchor="end">${lo.toFixed(1)} ${unit}</text>
${rects.join('\n')}
</svg>`;
}

type Outcome = { clientOrderId: string; status: string; filled: number; quantity: number; fills: number; avgPrice: number | null; fee: string; firstFillAt: string | null; reason?: string } | null;

function tradesTable(r: PostTradeReport): string {
  const rows = r.trades.map((t) => {
    const b = t.benchmark as Outcome;
    const s = t.session as Outcome;
    const e = t.effects as Record<string, string>;
    return `<tr><td class="l">${esc(String(t.decidedAt))}</td><td class="l">${esc(String(t.kind))}</td><td class="l">${esc(String(t.side))}</td>
<td>${b ? `${b.filled}/${b.quantity} @ ${b.avgPrice ?? '—'}` : '—'}</td><td class="l">${s ? `${esc(s.clientOrderId)} ${esc(s.status)}${s.fills > 1 ? ` (${s.fills} fills)` : ''}${s.reason ? `: ${esc(s.reason)}` : ''}` : '—'}</td>
<td>${s ? `${s.filled}/${s.quantity} @ ${s.avgPrice ?? '—'}` : '—'}</td><td>${t.slippageBps ?? '—'}</td><td>${t.extraDelayMs === null ? '—' : ((t.extraDelayMs as number) / 3_600_000).toFixed(1)}</td>
${['executionSlippage', 'fees', 'missedTrades', 'latency'].map((k) => `<td class="${Number(e[k]) < 0 ? 'neg' : Number(e[k]) > 0 ? 'pos' : ''}">${esc(e[k])}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr><th class="l">decided</th><th class="l">kind</th><th class="l">side</th><th>${esc(r.benchmarkLabel)} filled @ avg</th><th class="l">${esc(r.sessionLabel)} order</th><th>filled @ avg</th><th>slippage bps</th><th>extra delay h</th><th>execution slippage</th><th>fees</th><th>missed trades</th><th>latency</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function costsTable(r: PostTradeReport): string {
  const cell = (v: unknown) => `<td>${v === null || v === undefined ? '—' : esc(String(v))}</td>`;
  const rows = r.costs.map((k) => `<tr><td class="l">${esc(String(k.clientOrderId))}</td><td class="l">${esc(String(k.side))}</td>${cell(k.decidedAt)}${cell(`${String(k.filled)}/${String(k.quantity)}`)}${cell(k.arrivalPrice)}${cell(k.avgFillPrice)}${cell(k.priceShortfallBps)}${cell(k.feeBps)}${cell(k.implementationShortfallBps)}${cell(k.vwap)}${cell(k.vsVwapBps)}${cell(k.delayMs === null ? null : ((k.delayMs as number) / 3_600_000).toFixed(1))}</tr>`);
  return `<table><thead><tr><th class="l">order</th><th class="l">side</th><th>decided</th><th>filled</th><th>arrival</th><th>avg fill</th><th>price shortfall bps</th><th>fees bps</th><th>implementation shortfall bps</th><th>VWAP (life)</th><th>vs VWAP bps</th><th>delay h</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function f(n: number): string {
  return n.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
