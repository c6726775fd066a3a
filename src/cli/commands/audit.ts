import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { formatHead, openAuditLog, parseHead, toCsv, toJsonExport, type AuditLog } from '../../security/index.ts';
import { parseFlags, required } from '../args.ts';

export const AUDIT_HELP = `keel audit verify | head | export: the journal's tamper-evident audit trail (docs/security.md)

  keel audit verify --journal FILE|postgres://... [--journal-schema S] [--expect-head SEQ:HASH]
      walk the hash chain; name the first record that was edited, inserted or deleted. With --expect-head
      (a head printed earlier by keel audit head and kept elsewhere) also catch a cut-off tail or a chain
      rewritten from scratch
  keel audit head --journal FILE|postgres://... [--journal-schema S]
      the last record's seq and hash (SEQ:HASH): write it down, mail it, print it; verify checks it later
  keel audit export --journal FILE|postgres://... [--from TIME] [--to TIME] [--format csv|json] [--out FILE]
      the records of [from, to) as CSV (RFC 4180, the default) or JSON, to FILE (mode 0600) or stdout.
      TIME is ISO-8601: 2025-01-02 (midnight UTC) or 2025-01-02T09:30:00Z; without a zone it is UTC
  All three only read: they may run against a journal an engine is writing.
  Exit status: 0 intact (verify) or done, 1 the chain is broken, 2 bad arguments or unreadable journal.
`;

const COMMON = { journal: { type: 'string' }, 'journal-schema': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const VERIFY_OPTIONS = { ...COMMON, 'expect-head': { type: 'string' } } as const;
const EXPORT_OPTIONS = { ...COMMON, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } as const;

const JOURNAL_HINT = 'the journal: a SQLite file (run/journal.sqlite) or postgres://HOST:PORT/DB with --journal-schema';

/** `keel audit <verify|head|export>`. */
export async function auditCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'verify': return verifyCommand(rest);
    case 'head': return headCommand(rest);
    case 'export': return exportCommand(rest);
    case undefined: case 'help': case '--help': case '-h': process.stdout.write(AUDIT_HELP); return 0;
    default: throw new KeelError('UNKNOWN_COMMAND', 'is not a keel audit command', { field: 'keel audit', value: sub, hint: 'verify, head or export' });
  }
}

async function verifyCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, VERIFY_OPTIONS, 'audit verify');
  if (v.help) { process.stdout.write(AUDIT_HELP); return 0; }
  const expectHead = v['expect-head'] === undefined ? undefined : headFlag(v['expect-head']);
  return withLog(v, async (audit) => {
    const verdict = await audit.verify({ expectHead });
    if (!verdict.ok) {
      process.stderr.write(`keel: the audit trail of ${audit.location} is broken at ${verdict.problem.message} (${verdict.records === 1 ? '1 record before it is' : `${verdict.records} records before it are`} intact)\n`);
      return 1;
    }
    process.stdout.write(`audit trail of ${audit.location}: ${verdict.records} record${verdict.records === 1 ? '' : 's'}, hash chain intact\n`);
    if (expectHead) process.stdout.write(`reaches the expected head ${formatHead(expectHead)}\n`);
    process.stdout.write(`head ${formatHead(verdict.head)}\n`);
    return 0;
  });
}

async function headCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, COMMON, 'audit head');
  if (v.help) { process.stdout.write(AUDIT_HELP); return 0; }
  return withLog(v, async (audit) => {
    const head = await audit.head();
    process.stdout.write(`${formatHead(head)}\n`);
    process.stderr.write(`audit head of ${audit.location} (chain ${head.chainId}): keep it outside this database; keel audit verify --expect-head ${formatHead(head)} checks it\n`);
    return 0;
  });
}

async function exportCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, EXPORT_OPTIONS, 'audit export');
  if (v.help) { process.stdout.write(AUDIT_HELP); return 0; }
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new KeelError('BAD_ARGUMENT', 'must be csv or json', { field: '--format', value: format });
  const from = v.from === undefined ? undefined : timeFlag(v.from, '--from');
  const to = v.to === undefined ? undefined : timeFlag(v.to, '--to');
  if (from !== undefined && to !== undefined && to <= from) {
    throw new KeelError('BAD_ARGUMENT', `must be after --from (${new Date(from).toISOString()})`, { field: '--to', value: v.to });
  }
  return withLog(v, async (audit) => {
    const records = await audit.read(from, to);
    const text = format === 'csv' ? toCsv(records) : toJsonExport(records);
    if (v.out === undefined) {
      process.stdout.write(text);
      return 0;
    }
    try {
      mkdirSync(dirname(v.out), { recursive: true });
      // Who did what from where is for auditors, not for everyone on the machine.
      writeFileSync(v.out, text, { mode: 0o600 });
    } catch (err) {
      throw new KeelError('WRITE_FAILED', `cannot be written: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--out', value: v.out });
    }
    process.stderr.write(`${records.length} audit record${records.length === 1 ? '' : 's'} written to ${v.out} (${format})\n`);
    return 0;
  });
}

async function withLog(v: { journal?: string; 'journal-schema'?: string }, fn: (audit: AuditLog) => Promise<number>): Promise<number> {
  const audit = await openAuditLog({ journal: required(v.journal, '--journal', JOURNAL_HINT), schema: v['journal-schema'], readOnly: true });
  try {
    return await fn(audit);
  } finally {
    await audit.close();
  }
}

function headFlag(value: string): { seq: number; hash: string } {
  const head = parseHead(value);
  if (head === undefined) throw new KeelError('BAD_ARGUMENT', 'is not an audit head', { field: '--expect-head', value, hint: 'give SEQ:HASH as keel audit head prints it' });
  return head;
}

/**
 * An ISO-8601 date or date-time, UTC unless it names a zone. Refuses what `Date.parse` would silently roll
 * over (2025-02-30) or read in the machine's local zone.
 *
 * @example timeFlag('2025-01-02', '--from') // 1735776000000
 */
export function timeFlag(value: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value.trim());
  const bad = () => new KeelError('BAD_TIME', 'is not an ISO-8601 date or time', { field, value, hint: 'e.g. 2025-01-02 or 2025-01-02T09:30:00Z' });
  if (!m) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone = 'Z'] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), Number(mo)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad();
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms.padEnd(3, '0')}${zone}`);
  if (!Number.isFinite(t)) throw bad();
  return t;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
