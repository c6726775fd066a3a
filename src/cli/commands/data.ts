import { KeelError } from '../../model/index.ts';
import { formatValidationReport, parseColumnMapping, validateFile, validationReportToJson } from '../../data/index.ts';
import { parseFlags, required } from '../args.ts';
import { checkTimeZone } from './backtest.ts';

export const DATA_HELP = `keel data validate FILE: load a market data file and report every problem found

  --columns time=..,close=..   column mapping for other CSV layouts
  --timezone ZONE           IANA zone of timestamps without an offset (default UTC)
  --date-format YMD|MDY|DMY  order of day and month in slashed dates
  --json                    print the report as JSON
  Exit status: 0 clean or warnings only, 1 errors found, 2 bad arguments.
`;

const OPTIONS = {
  columns: { type: 'string' }, timezone: { type: 'string' }, 'date-format': { type: 'string' }, json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function dataCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') { process.stdout.write(DATA_HELP); return 0; }
  if (sub !== 'validate') throw new KeelError('UNKNOWN_COMMAND', 'is not a keel data command', { field: 'command', value: `data ${sub}`, hint: 'try keel data validate FILE' });
  const { values: v, positionals } = parseFlags(rest, OPTIONS, 'data validate', 1);
  if (v.help) { process.stdout.write(DATA_HELP); return 0; }
  if (v.timezone !== undefined) checkTimeZone(v.timezone);
  const file = required(positionals[0], 'FILE', 'keel data validate data.csv');
  const report = validateFile(file, {
    timeZone: v.timezone, dateFormat: v['date-format'] as 'YMD' | 'MDY' | 'DMY' | undefined,
    columns: v.columns ? parseColumnMapping(v.columns) : undefined,
  });
  process.stdout.write(v.json ? JSON.stringify(validationReportToJson(file, report), null, 2) + '\n' : formatValidationReport(file, report));
  return report.errors.length > 0 ? 1 : 0;
}
