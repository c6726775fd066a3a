import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { DEFAULT_RETENTION_DAYS, orderRecords, pruneRecordExports, recordsCsv, recordsJson } from '../../compliance/index.ts';
import { loadRunConfig } from '../../runtime/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { openJournalArg } from '../journal-arg.ts';
import { timeFlag } from './audit.ts';

export const RECORDS_HELP = `keel records export | prune: the order records a regulator asks for (docs/compliance.md)

  keel records export --journal FILE|postgres://... [--journal-schema S] [--from TIME] [--to TIME]
                      [--format csv|json] [--out FILE | --archive DIR]
      every order first sent (or denied) in [from, to) with its whole lifecycle (UTC to the microsecond,
      client and venue ids, strategy version, decision reason, risk checks passed, who or what sent it),
      its fills and cancels, and the kill-switch uses and operator actions of the period. To FILE (mode
      0600), to DIR/orders-FROM-TO.FORMAT with --archive, or to stdout. TIME is ISO-8601 (2025-01-02 is
      midnight UTC). Only reads: it may run against a journal an engine is writing
  keel records prune --dir DIR [--retention-days N | --config keel.yaml] [--dry-run]
      delete the exports in DIR whose newest record is older than the retention (records.retentionDays,
      default ${DEFAULT_RETENTION_DAYS} days: five years). Never deletes a file with a record inside the
      retention, an open-ended export, or a file that is not a records export
  Exit status: 0 done, 2 bad arguments or unreadable journal.
`;

const EXPORT_OPTIONS = {
  journal: { type: 'string' }, 'journal-schema': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
  format: { type: 'string' }, out: { type: 'string' }, archive: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;
const PRUNE_OPTIONS = { dir: { type: 'string' }, 'retention-days': { type: 'string' }, config: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** `keel records <export|prune>`. */
export async function recordsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'export': return exportCommand(rest);
    case 'prune': return pruneCommand(rest);
    case undefined: case 'help': case '--help': case '-h': process.stdout.write(RECORDS_HELP); return 0;
    default: throw new KeelError('UNKNOWN_COMMAND', 'is not a keel records command', { field: 'keel records', value: sub, hint: 'export or prune' });
  }
}

async function exportCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, EXPORT_OPTIONS, 'records export');
  if (v.help) { process.stdout.write(RECORDS_HELP); return 0; }
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new KeelError('BAD_ARGUMENT', 'must be csv or json', { field: '--format', value: format });
  const from = v.from === undefined ? undefined : timeFlag(v.from, '--from');
  const to = v.to === undefined ? undefined : timeFlag(v.to, '--to');
  if (from !== undefined && to !== undefined && to <= from) {
    throw new KeelError('BAD_ARGUMENT', `must be after --from (${new Date(from).toISOString()})`, { field: '--to', value: v.to });
  }
  if (v.out !== undefined && v.archive !== undefined) throw new KeelError('BAD_ARGUMENT', 'cannot be combined with --out', { field: '--archive', value: v.archive });
  const journalArg = required(v.journal, '--journal', 'the journal: a SQLite file (run/journal.sqlite) or postgres://HOST:PORT/DB with --journal-schema');
  const journal = await openJournalArg(journalArg, { schema: v['journal-schema'], mustExist: true, readOnly: true });
  let records;
  try {
    records = await orderRecords(journal, { from, to });
  } finally {
    await journal.close();
  }
  const text = format === 'csv' ? recordsCsv(records) : recordsJson(records);
  const stamp = (t: number | undefined, open: string) => (t === undefined ? open : new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'));
  const out = v.archive !== undefined ? join(v.archive, `orders-${stamp(from, 'start')}-${stamp(to, 'open')}.${format}`) : v.out;
  if (out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  try {
    mkdirSync(dirname(out), { recursive: true });
    // Order records name accounts, strategies and operators: for compliance, not for everyone on the machine.
    writeFileSync(out, text, { mode: 0o600 });
  } catch (err) {
    throw new KeelError('WRITE_FAILED', `cannot be written: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: v.archive !== undefined ? '--archive' : '--out', value: out });
  }
  const fills = records.orders.reduce((n, o) => n + o.fills.length, 0);
  process.stderr.write(`${records.orders.length} order record${records.orders.length === 1 ? '' : 's'} (${fills} fill${fills === 1 ? '' : 's'}, ${records.killSwitches.length} kill-switch use${records.killSwitches.length === 1 ? '' : 's'}) written to ${out} (${format})\n`);
  return 0;
}

function pruneCommand(argv: string[]): number {
  const { values: v } = parseFlags(argv, PRUNE_OPTIONS, 'records prune');
  if (v.help) { process.stdout.write(RECORDS_HELP); return 0; }
  if (v['retention-days'] !== undefined && v.config !== undefined) throw new KeelError('BAD_ARGUMENT', 'cannot be combined with --config (the file has records.retentionDays)', { field: '--retention-days', value: v['retention-days'] });
  const config = v.config === undefined ? undefined : loadRunConfig(v.config);
  const archive = config?.records.archive === undefined ? undefined
    : isAbsolute(config.records.archive) ? config.records.archive : resolve(dirname(resolve(v.config!)), config.records.archive);
  const dir = v.dir ?? archive;
  if (dir === undefined) throw new KeelError('MISSING_ARGUMENT', 'is required', { field: '--dir', hint: 'the folder of record exports (or records.archive in --config)' });
  const retentionDays = numberFlag(v['retention-days'], '--retention-days', { min: 1, integer: true }) ?? config?.records.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const r = pruneRecordExports(dir, { retentionDays, now: Date.now(), dryRun: v['dry-run'] });
  const verb = v['dry-run'] ? 'would delete' : 'deleted';
  for (const name of r.deleted) process.stdout.write(`${verb} ${name}\n`);
  process.stdout.write(`retention ${retentionDays} days (records since ${r.cutoff} are kept): ${r.deleted.length} ${verb}, ${r.kept.length} kept, ${r.skipped.length} not record exports or open-ended (never deleted)\n`);
  return 0;
}
