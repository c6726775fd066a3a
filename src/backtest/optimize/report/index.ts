/** The optimisation and walk-forward HTML reports. */
export { renderSweepReport, type SweepReportInput } from './render-sweep-report.ts';
export { diagnosticsHtml, dsrReading, pboReading } from './diagnostics-html.ts';
export { CURVE_COLORS, CURVES_SCRIPT, thinCurve } from './curves-script.ts';
export { escapeHtml, pct, short } from './svg.ts';
