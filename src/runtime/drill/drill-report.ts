/** What `keel drill` measured, as kept in drill.json (evidence of a disaster-recovery drill). */
export interface DrillReport {
  readonly kind: 'keel-dr-drill';
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly config: string;
  /** The backup restored: its data file, when it was taken and up to which journal seq. */
  readonly backup: { readonly file: string; readonly createdAt: string; readonly lastSeq: number; readonly events: number; readonly sha256: string; readonly ageMs: number };
  /** Where it was restored (a new journal, never the live one). */
  readonly restoredTo: string;
  /** Time to trading again: from the start of the drill to the fresh engine reconciled and ready, ms. */
  readonly rtoMs: number;
  readonly phases: ReadonlyArray<{ readonly name: string; readonly ms: number }>;
  readonly rpo: {
    /** Events the live journal holds after the backup's last seq (null when the live journal cannot be read). */
    readonly eventsAfterBackup: number | null;
    /** What the start-up reconciliation recovered from the venue: reports applied, orders adopted. */
    readonly reportsApplied: number;
    readonly ordersAdopted: number;
    readonly externalFills: number;
  };
  readonly reconciliation: { readonly verdict: string; readonly lines: readonly string[] };
  readonly ok: boolean;
}

/** One line per figure, for the terminal. */
export function drillSummary(r: DrillReport): string {
  return [
    `DR drill ${r.ok ? 'passed' : 'FAILED'}: restored ${r.backup.file} (seq ${r.backup.lastSeq}, taken ${r.backup.createdAt}) into ${r.restoredTo}`,
    `  RTO ${(r.rtoMs / 1000).toFixed(2)} s to trading again (${r.phases.map((p) => `${p.name} ${p.ms} ms`).join(', ')})`,
    `  RPO ${r.rpo.eventsAfterBackup ?? 'unknown'} journal event(s) after the backup; recovered from the venue: ${r.rpo.reportsApplied} report(s) applied, ${r.rpo.ordersAdopted} order(s) adopted`,
    `  backup age ${(r.backup.ageMs / 1000).toFixed(1)} s; reconciliation verdict ${r.reconciliation.verdict}`,
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The report as one self-contained HTML page: the verdict, the RTO as a timeline of its phases, the RPO, the reconciliation. */
export function drillHtml(r: DrillReport): string {
  const total = Math.max(1, r.phases.reduce((s, p) => s + p.ms, 0));
  const width = 720;
  const colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2'];
  let x = 0;
  const bars = r.phases.map((p, i) => {
    const w = Math.max(1, (p.ms / total) * width);
    const bar = `<rect x="${x.toFixed(1)}" y="10" width="${w.toFixed(1)}" height="34" fill="${colours[i % colours.length]}"><title>${esc(p.name)}: ${p.ms} ms</title></rect>`
      + `<text x="${(x + 4).toFixed(1)}" y="62" font-size="12">${esc(p.name)} ${p.ms} ms</text>`;
    x += w;
    return bar;
  }).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keel DR drill ${esc(r.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}td,th{padding:.2em .8em;text-align:left}.ok{color:#2a7}.bad{color:#c33}pre{background:#f5f5f5;padding:1em}</style></head>
<body>
<h1>DR drill <span class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'passed' : 'FAILED'}</span></h1>
<table>
<tr><th>started</th><td>${esc(r.startedAt)}</td></tr>
<tr><th>config</th><td>${esc(r.config)}</td></tr>
<tr><th>backup</th><td>${esc(r.backup.file)} (seq ${r.backup.lastSeq}, ${r.backup.events} events, taken ${esc(r.backup.createdAt)}, sha256 ${esc(r.backup.sha256)})</td></tr>
<tr><th>restored to</th><td>${esc(r.restoredTo)}</td></tr>
<tr><th>RTO</th><td><b>${(r.rtoMs / 1000).toFixed(2)} s</b> to trading again</td></tr>
<tr><th>RPO</th><td><b>${r.rpo.eventsAfterBackup ?? 'unknown'}</b> journal events after the backup; recovered from the venue: ${r.rpo.reportsApplied} reports applied, ${r.rpo.ordersAdopted} orders adopted, ${r.rpo.externalFills} unexplained fills</td></tr>
</table>
<h2>Time to trading again</h2>
<svg width="${width}" height="72" role="img" aria-label="RTO phases">${bars}</svg>
<h2>Reconciliation with the venue: ${esc(r.reconciliation.verdict)}</h2>
<pre>${esc(r.reconciliation.lines.join('\n'))}</pre>
</body></html>
`;
}
