import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEquityCurve } from '../../src/backtest/equity-file.ts';
import { KeelError } from '../../src/model/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-equity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` to a fresh temp file and returns its path. */
function file(text: string): string {
  const path = join(dir, `equity-${++fileCount}.csv`);
  writeFileSync(path, text);
  return path;
}

/** Asserts a KeelError with this code whose one-line message contains every fragment. */
function assertKeelError(fn: () => unknown, code: string, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KeelError, `not a KeelError: ${err}`);
    assert.equal((err as { code?: string }).code, code, err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" lacks "${f}"`);
    assert.ok(!err.message.includes('\n'), 'prints as one line');
    return true;
  });
}

test('a good file: Date,Equity with a trailing newline', () => {
  const path = file('Date,Equity\n2024-01-02,100000\n2024-01-03,100250.5\n2024-01-04,99800\n');
  const curve = loadEquityCurve(path);
  assert.deepEqual(curve.times, [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 4)]);
  assert.deepEqual(curve.equity, [100000, 100250.5, 99800]);
  assert.equal(curve.source, path);
});

test('a broker export: BOM, CRLF, quoted headers, "Portfolio Value" column among others', () => {
  const path = file('\uFEFF"Date","Cash","Portfolio Value"\r\n"2024-01-02","5,000","100000"\r\n"2024-01-03","5,000","101000"\r\n');
  const curve = loadEquityCurve(path);
  assert.deepEqual(curve.equity, [100000, 101000]);
  assert.equal(curve.times[1], Date.UTC(2024, 0, 3));
});

test('equity aliases are case-insensitive: NAV, balance, VALUE', () => {
  for (const name of ['NAV', 'balance', 'VALUE']) {
    assert.deepEqual(loadEquityCurve(file(`date,${name}\n2024-01-02,5\n2024-01-03,6\n`)).equity, [5, 6]);
  }
});

test('a pandas export with an unnamed date column', () => {
  const curve = loadEquityCurve(file(',Equity\n2024-01-02,100\n2024-01-03,101\n'));
  assert.deepEqual(curve.times, [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]);
});

test('columns named by the user', () => {
  const path = file('When,Net Liq,Equity\n2024-01-02,7,100\n2024-01-03,8,101\n');
  const curve = loadEquityCurve(path, { columns: { time: 'when', equity: 'Net Liq' } });
  assert.deepEqual(curve.equity, [7, 8]);
});

test('day-first dates for European exports', () => {
  const curve = loadEquityCurve(file('Date,Equity\n03/02/2024,100\n04/02/2024,101\n'), { dateFormat: 'DMY' });
  assert.deepEqual(curve.times, [Date.UTC(2024, 1, 3), Date.UTC(2024, 1, 4)]);
});

test('an unknown time zone is refused before reading', () => {
  assertKeelError(() => loadEquityCurve(file('Date,Equity\n2024-01-02,1\n'), { timeZone: 'New York' }), 'BAD_TIME_ZONE', 'New York');
});

test('timestamps with a time of day', () => {
  const curve = loadEquityCurve(file('Date,Equity\n2024-01-02 09:30:00,100\n2024-01-02 10:30:00,101\n'));
  assert.deepEqual(curve.times, [Date.UTC(2024, 0, 2, 9, 30), Date.UTC(2024, 0, 2, 10, 30)]);
});

test('a time zone shifts local timestamps to UTC', () => {
  const curve = loadEquityCurve(file('Date,Equity\n2024-01-02 09:30:00,100\n2024-07-02 09:30:00,101\n'), { timeZone: 'America/New_York' });
  // New York is UTC−5 in January and UTC−4 (daylight saving) in July.
  assert.deepEqual(curve.times, [Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 6, 2, 13, 30)]);
});

test('missing file', () => {
  const path = join(dir, 'nope.csv');
  assertKeelError(() => loadEquityCurve(path), 'FILE_NOT_FOUND', path);
});

test('empty file and header-only file', () => {
  const empty = file('');
  assertKeelError(() => loadEquityCurve(empty), 'EMPTY_FILE', empty);
  const headerOnly = file('Date,Equity\n');
  assertKeelError(() => loadEquityCurve(headerOnly), 'EMPTY_FILE', headerOnly, 'no data rows');
});

test('no recognisable equity column: the error shows the header and how to name the columns', () => {
  const path = file('Date,Close,Volume\n2024-01-02,1,2\n');
  assertKeelError(() => loadEquityCurve(path), 'MISSING_COLUMN', `${path}:1: no equity column`, 'Date,Close,Volume', '--columns time=', 'equity=');
  assertKeelError(() => loadEquityCurve(path, { columns: { equity: 'Net Liq' } }), 'MISSING_COLUMN', 'no column named "Net Liq"');
});

test('no recognisable time column', () => {
  const path = file('Day,Equity\n2024-01-02,1\n');
  assertKeelError(() => loadEquityCurve(path), 'MISSING_COLUMN', 'no time column', 'Day,Equity');
});

test('bad number on line N names the file, line and column', () => {
  const path = file('Date,Equity\n2024-01-02,100\n2024-01-03,$101\n');
  assertKeelError(() => loadEquityCurve(path), 'BAD_NUMBER', `${path}:3: field "Equity" = "$101": is not a number`);
  const blank = file('Date,Equity\n2024-01-02,\n');
  assertKeelError(() => loadEquityCurve(blank), 'BAD_NUMBER', `${blank}:2: field "Equity" = ""`);
});

test('non-positive equity names the line', () => {
  const path = file('Date,NAV\n2024-01-02,100\n2024-01-03,0\n');
  assertKeelError(() => loadEquityCurve(path), 'NON_POSITIVE_EQUITY', `${path}:3: field "NAV" = "0": equity must be positive`);
  const negative = file('Date,NAV\n2024-01-02,-5\n');
  assertKeelError(() => loadEquityCurve(negative), 'NON_POSITIVE_EQUITY', `${negative}:2: field "NAV" = "-5"`);
});

test('timestamps out of order or duplicated name the line', () => {
  const backwards = file('Date,Equity\n2024-01-03,100\n2024-01-02,101\n');
  assertKeelError(() => loadEquityCurve(backwards), 'TIME_NOT_ASCENDING', `${backwards}:3: field "Date" = "2024-01-02"`, '2024-01-03T00:00:00.000Z');
  const duplicate = file('Date,Equity\n2024-01-02,100\n2024-01-03,101\n\n2024-01-03,102\n');
  assertKeelError(() => loadEquityCurve(duplicate), 'TIME_NOT_ASCENDING', `${duplicate}:5: field "Date"`);
});

test('an unparseable timestamp names the line', () => {
  const path = file('Date,Equity\n2024-01-02,100\nyesterday,101\n');
  assertKeelError(() => loadEquityCurve(path), 'BAD_TIMESTAMP', `${path}:3: field "Date" = "yesterday": is not a recognised date/time`);
  const month13 = file('Date,Equity\n2024-13-02,100\n');
  assertKeelError(() => loadEquityCurve(month13), 'BAD_TIMESTAMP', `${month13}:2: field "Date" = "2024-13-02": has month 13, outside 1-12`);
});

test('a row with too few fields names the line', () => {
  const path = file('Date,Cash,Equity\n2024-01-02,1,100\n2024-01-03,1\n');
  assertKeelError(() => loadEquityCurve(path), 'SHORT_ROW', `${path}:3: has 2 fields, the header has 3`);
});
