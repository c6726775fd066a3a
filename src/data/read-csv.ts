import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ColumnMapping } from './columns.ts';
import { splitCsvLine } from './csv.ts';
import { CsvFileReader } from './csv-file.ts';
import { DataFileError } from './data-error.ts';
import { IssueLog } from './issues.ts';
import { detectLayout, type KindOption, type Layout } from './layouts.ts';
import { RowParser, type ParsedColumns } from './rows.ts';
import type { DateFormat } from './timestamps.ts';

/**
 * The parse stage of loading: a CSV file → its layout and columns, with every syntax problem in the issue
 * log. Each row is offered to the byte path first (well-formed rows, no strings built) and, when declined,
 * decoded and read by the string path, which words every problem; both give the same values.
 */

export interface CsvParseOptions {
  readonly kind: KindOption;
  readonly columns: ColumnMapping;
  readonly timeZone: string;
  readonly dateFormat: DateFormat | undefined;
  readonly useAdjustedClose: boolean;
}

export interface ParsedFile {
  readonly layout: Layout;
  readonly parsed: ParsedColumns;
  readonly log: IssueLog;
}

/**
 * Parse `path`. Problems with the file as a whole (missing, empty, no recognisable header) throw a
 * DataFileError; problems with rows are in `log`.
 *
 * @example
 * const { layout, parsed } = parseCsvFile('ORCL.csv', { kind: 'auto', columns: {}, timeZone: 'UTC', dateFormat: undefined, useAdjustedClose: false });
 */
export function parseCsvFile(path: string, opts: CsvParseOptions): ParsedFile {
  const csv = openCsv(path);
  try {
    const header = csv.nextFields();
    if (header === undefined) throw new DataFileError('EMPTY_FILE', 'file is empty', { file: path });
    const headerLine = csv.line;
    const first = csv.nextFields();
    if (first === undefined) {
      throw new DataFileError('NO_DATA_ROWS', `has a header (line ${headerLine}) but no data rows`, { file: path });
    }
    const layout = detectLayout(path, header, first, opts.kind, opts.columns);
    if (opts.useAdjustedClose && (layout.kind !== 'bars' || layout.index.adjClose < 0)) {
      throw new DataFileError('NO_COLUMN', `useAdjustedClose needs an adjusted close column (header: ${header.join(',')})`, {
        file: path, hint: 'pass --columns adjClose=<column>, or load unadjusted prices',
      });
    }
    const log = new IssueLog();
    const rows = new RowParser({ layout, timeZone: opts.timeZone, dateFormat: opts.dateFormat, useAdjustedClose: opts.useAdjustedClose, issues: log },
      estimateRows(csv.size, csv.end - csv.start + 1));
    rows.readFields(first, csv.line);
    while (csv.nextLine()) {
      if (rows.readBytes(csv.bytes, csv.start, csv.end, csv.line)) continue;
      const raw = csv.text();
      if (raw.trim().length > 0) rows.readFields(splitCsvLine(raw), csv.line);
    }
    return { layout, parsed: rows.finish(), log };
  } finally {
    csv.close();
  }
}

/**
 * Rows a file probably holds, from its size and its first data line, with room for lines 20% shorter than
 * it: columns are sized once, not regrown (RowParser.finish gives back a big overestimate).
 */
function estimateRows(fileBytes: number, lineBytes: number): number {
  return Math.ceil((fileBytes / Math.max(lineBytes, 8)) * 1.25) + 16;
}

function openCsv(path: string): CsvFileReader {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return new CsvFileReader(fd);
  } catch (e) {
    if (fd !== undefined) CsvFileReader.closeQuietly(fd);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError('DATA_FILE_NOT_FOUND', 'file not found', { file: path, hint: `looked for ${resolve(path)}` });
    if (code === 'EISDIR') throw new DataFileError('DATA_FILE_NOT_FOUND', 'is a directory, not a data file', { file: path });
    if (code === 'EACCES' || code === 'EPERM') throw new DataFileError('DATA_FILE_UNREADABLE', 'cannot be read (permission denied)', { file: path });
    throw e;
  }
}
