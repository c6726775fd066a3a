import type { ValidationIssue, ValidationReport } from './issues.ts';
import { formatDuration, formatInstant } from './time-format.ts';

/** The validation report as a user reads it (`keel data validate FILE`) and as a tool reads it (JSON). */

/**
 * Human-readable report: a summary line, then errors, then warnings, one `line N: field: message` each,
 * then a verdict. Ends with a newline, ready for stdout.
 *
 * @example
 * console.log(formatValidationReport('ORCL.csv', validateMarketData('ORCL.csv')));
 * // ORCL.csv: 5036 rows of bars, 1995-01-03 → 2014-12-31, interval 1d, layout yahoo
 * // errors: none
 * // warnings: none
 * // OK
 */
export function formatValidationReport(path: string, report: ValidationReport): string {
  const out: string[] = [summaryLine(path, report)];
  section(out, 'errors', report.errors);
  section(out, 'warnings', report.warnings);
  const verdict = report.errors.length > 0
    ? `FAILED: ${countListed(report.errors)} error(s); the file will not load until they are fixed`
    : report.warnings.length > 0 ? `OK with ${countListed(report.warnings)} warning(s)` : 'OK';
  out.push(verdict);
  return out.join('\n') + '\n';
}

/** JSON-ready form of a report: times as ISO 8601 UTC, plus `ok`. */
export interface ValidationReportJson {
  readonly file: string;
  readonly ok: boolean;
  readonly kind: ValidationReport['kind'];
  readonly layout: string;
  readonly rows: number;
  readonly first: string | null;
  readonly last: string | null;
  readonly intervalMs: number;
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

/**
 * The report as plain JSON (for `keel data validate --json` and the dashboard).
 *
 * @example
 * JSON.stringify(validationReportToJson('ORCL.csv', report)); // {"file":"ORCL.csv","ok":true,...}
 */
export function validationReportToJson(path: string, report: ValidationReport): ValidationReportJson {
  return {
    file: path, ok: report.errors.length === 0, kind: report.kind, layout: report.layout, rows: report.rows,
    first: report.firstTs === null ? null : new Date(report.firstTs).toISOString(),
    last: report.lastTs === null ? null : new Date(report.lastTs).toISOString(),
    intervalMs: report.intervalMs, errors: report.errors, warnings: report.warnings,
  };
}

/**
 * One issue as a report line.
 *
 * @example
 * formatIssue({ code: 'NOT_A_NUMBER', line: 12, field: 'close', value: 'abc', message: 'is not a number' });
 * // 'line 12: close = "abc": is not a number [NOT_A_NUMBER]'
 */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.line > 0 ? `line ${issue.line}` : 'file';
  const field = issue.field === undefined ? '' : issue.value === undefined ? `${issue.field}: ` : `${issue.field} = ${JSON.stringify(issue.value)}: `;
  return `${where}: ${field}${issue.message} [${issue.code}]`;
}

function summaryLine(path: string, r: ValidationReport): string {
  const span = r.firstTs === null || r.lastTs === null ? 'no valid rows' : `${formatInstant(r.firstTs)} → ${formatInstant(r.lastTs)}`;
  const interval = r.intervalMs > 0 ? formatDuration(r.intervalMs) : 'n/a';
  return `${path}: ${r.rows} rows of ${r.kind}, ${span}, interval ${interval}, layout ${r.layout}`;
}

function section(out: string[], title: string, issues: readonly ValidationIssue[]): void {
  if (issues.length === 0) {
    out.push(`${title}: none`);
    return;
  }
  out.push(`${title}:`);
  for (const issue of issues) out.push(`  ${formatIssue(issue)}`);
}

/** Issues counted, including those summarised in line-0 "N more … not listed" notes. */
function countListed(issues: readonly ValidationIssue[]): number {
  let n = 0;
  for (const i of issues) n += i.omitted ?? 1;
  return n;
}
