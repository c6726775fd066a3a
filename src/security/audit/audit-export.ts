import { canonicalJson } from './canonical-json.ts';
import type { AuditRecord } from './audit-event.ts';

/** `keel audit export` formats. */
export type AuditExportFormat = 'csv' | 'json';

/** The CSV columns, in order (docs/security.md). */
export const AUDIT_CSV_COLUMNS = ['seq', 'time', 'ts', 'actor', 'origin', 'action', 'target', 'result', 'reason', 'details', 'prev_hash', 'hash'] as const;

/**
 * Records as RFC 4180 CSV: a header line, then one line per record, CRLF line ends, every field that holds a
 * comma, quote, CR or LF quoted with quotes doubled. `time` is ISO-8601 UTC; `details` is its canonical JSON.
 * A text field that a spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed
 * with a single quote (OWASP's CSV-injection advice): an audit export is opened by people with spreadsheets,
 * and an actor name is chosen by whoever logs in. The JSON export is the faithful one.
 *
 * @example toCsv([record]) // 'seq,time,ts,actor,…\r\n1,2025-01-02T03:04:05.000Z,1735787045000,token,…\r\n'
 */
export function toCsv(records: readonly AuditRecord[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of records) {
    const reason = r.result.status === 'ok' ? '' : r.result.reason;
    const fields = [
      String(r.seq), new Date(r.ts).toISOString(), String(r.ts), text(r.actor), text(r.origin), text(r.action), text(r.target ?? ''),
      r.result.status, text(reason), text(canonicalJsonOrRaw(r.details)), r.prevHash, r.hash,
    ];
    lines.push(fields.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * Records as a JSON array, one record per line, fields as stored (and `time` for reading), so that every
 * record's hash can be recomputed from the export (chain.ts).
 *
 * @example JSON.parse(toJson(records))[0].hash === records[0].hash
 */
export function toJsonExport(records: readonly AuditRecord[]): string {
  if (records.length === 0) return '[]\n';
  const rows = records.map((r) => JSON.stringify({
    seq: r.seq, time: new Date(r.ts).toISOString(), ts: r.ts, actor: r.actor, origin: r.origin, action: r.action, target: r.target ?? null,
    result: r.result.status, reason: r.result.status === 'ok' ? null : r.result.reason, details: r.details, prevHash: r.prevHash, hash: r.hash,
  }));
  return `[\n${rows.join(',\n')}\n]\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Text a spreadsheet must not evaluate. */
function text(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function canonicalJsonOrRaw(d: AuditRecord['details']): string {
  try {
    return canonicalJson(d, 'details');
  } catch {
    return JSON.stringify(d);
  }
}
