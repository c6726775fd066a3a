/**
 * The HTML skeleton and stylesheet of the report. Light theme, system fonts, fluid width up to a
 * comfortable reading size; tables scroll horizontally on narrow screens instead of squashing.
 * Everything the page needs is in this one file: no fonts, images or scripts are fetched.
 */

const CSS = `
:root { --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --pos: #15803d; --neg: #b91c1c; --accent: #2563eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f1f5f9; color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 40px; }
section, .report-header { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin-bottom: 16px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 13px; margin: 18px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.eyebrow { margin: 0 0 4px; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .08em; }
.subtitle { margin: 8px 0 0; color: var(--muted); overflow-wrap: anywhere; }
.subtitle b { color: var(--fg); }
.params { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0 0; padding: 0; }
.params li { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 1px 8px; font: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.warning { background: #fffbeb; border: 1px solid #fde68a; color: #92400e; border-radius: 6px; padding: 6px 10px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: 18px; }
.kpi { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.kpi span { display: block; color: var(--muted); font-size: 12px; }
.kpi b { font-size: 20px; font-variant-numeric: tabular-nums; }
.kpi small { font-size: 12px; color: var(--muted); font-weight: 500; }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
.metrics-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 32px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.metrics th { font-weight: 500; color: var(--muted); }
.metrics td { font-weight: 600; }
.num { text-align: right; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 500; }
.scroll { overflow-x: auto; max-height: 640px; overflow-y: auto; border: 1px solid var(--line); border-radius: 8px; }
.trades thead th { position: sticky; top: 0; background: var(--soft); font-weight: 600; color: var(--muted); font-size: 12px; }
.trades tbody tr:nth-child(even) { background: #fcfdfe; }
.trades tbody tr:hover { background: #eff6ff; }
.trades td.long { color: var(--pos); font-weight: 600; }
.trades td.short { color: #b45309; font-weight: 600; }
.trades tr.gap td { text-align: center; color: var(--muted); background: var(--soft); }
.chart-box { position: relative; }
.chart { height: 340px; }
.chart.short { height: 170px; }
.chart.tall { height: 460px; }
.legend { position: absolute; top: 6px; left: 10px; z-index: 3; font-size: 12px; color: var(--muted); pointer-events: none; background: rgba(255,255,255,.8); border-radius: 4px; padding: 0 4px; }
.legend b { color: var(--fg); font-weight: 600; margin-right: 6px; }
.legend span { margin-right: 8px; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.key { display: inline-flex; align-items: center; gap: 4px; margin-right: 14px; }
.key i { font-style: normal; font-size: 14px; }
.counters { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: 10px; }
.counter { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.counter b { display: block; font-size: 18px; font-variant-numeric: tabular-nums; }
.counter span { color: var(--muted); font-size: 12px; }
.ledger { max-width: 520px; }
.risk-status { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 0 0 14px; }
p.risk-status { margin: 0; }
.note-inline { color: var(--muted); }
.badge { display: inline-block; border: 1px solid; border-radius: 999px; padding: 0 9px; font-size: 12px; font-weight: 700; letter-spacing: .04em; line-height: 1.6; }
.badge.active { color: #166534; background: #dcfce7; border-color: #86efac; }
.badge.reducing { color: #92400e; background: #fef3c7; border-color: #fcd34d; }
.badge.halted { color: #991b1b; background: #fee2e2; border-color: #fca5a5; }
.badge.unknown { color: var(--muted); background: var(--soft); border-color: var(--line); }
.legend b.state-reducing { color: #b45309; }
.legend b.state-halted { color: var(--neg); }
.key i.shade { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.shade.reducing { background: rgba(217, 119, 6, 0.28); }
.shade.halted { background: rgba(220, 38, 38, 0.24); }
td.wrap { white-space: normal; min-width: 260px; overflow-wrap: anywhere; }
.narrow { max-width: 520px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
details { margin-top: 16px; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow: auto; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
footer a { color: var(--muted); }
@media (max-width: 640px) { main { padding: 12px 8px; } section, .report-header { padding: 14px; } .chart { height: 260px; } .chart.tall { height: 340px; } }
`;

export interface PageParts {
  readonly title: string;
  /** Pre-rendered, escaped HTML of the visible sections. */
  readonly body: string;
  /** Output of `jsonForScript`; must already be safe inside `<script>`. */
  readonly dataJson: string;
  /** Library and client code; must already be safe inside `<script>`. */
  readonly scripts: readonly string[];
}

/**
 * Wraps the rendered sections, the data and the scripts into the complete HTML document.
 *
 * @example
 * pageHtml({ title: 'sma-cross · ORCL', body: '<header>…</header>', dataJson: '{}', scripts: [lib, client] });
 */
export function pageHtml(parts: PageParts): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // A report is a local file; forbid every network fetch so a bug can never phone home.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${parts.title}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    parts.body,
    '</main>',
    `<script type="application/json" id="keel-report-data">${parts.dataJson}</script>`,
    ...parts.scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
