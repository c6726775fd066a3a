import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import { DataFileError, loadMarketData, validateMarketData } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

const HEADER = 'Date,Open,High,Low,Close,Volume\n';
const GOOD = '2006-01-02,10,11,9,10.5,100\n';

/** Assert loading `path` throws one DataFileError with this code whose message matches every pattern. */
function assertFatal(path: string, code: string, ...patterns: RegExp[]): DataFileError {
  let caught: unknown;
  try {
    loadMarketData(path);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DataFileError, `expected a DataFileError, got ${String(caught)}`);
  assert.ok(caught instanceof KeelError);
  assert.equal(caught.code, code);
  assert.equal(caught.file, path);
  assert.ok(caught.message.startsWith(path), caught.message);
  assert.ok(!caught.message.includes('\n'), 'one line');
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

test('non-numeric price: FILE:LINE: field "close" = "abc"', () => {
  const path = tempCsv('abc.csv', HEADER + GOOD + '2006-01-03,10,11,9,abc,100\n');
  const e = assertFatal(path, 'NOT_A_NUMBER');
  assert.equal(e.message, `${path}:3: field "close" = "abc": is not a number`);
  assert.equal(e.line, 3);
  assert.equal(e.field, 'close');
  assert.equal(e.value, 'abc');
});

test('NaN, hex and Infinity are not numbers', () => {
  assertFatal(tempCsv('nan.csv', HEADER + '2006-01-02,NaN,11,9,10,1\n'), 'NOT_A_NUMBER', /:2: field "open" = "NaN"/);
  assertFatal(tempCsv('hex.csv', HEADER + '2006-01-02,0x10,11,9,10,1\n'), 'NOT_A_NUMBER', /field "open" = "0x10"/);
  assertFatal(tempCsv('inf.csv', HEADER + '2006-01-02,10,Infinity,9,10,1\n'), 'NOT_A_NUMBER', /field "high" = "Infinity"/);
});

test('zero and negative prices', () => {
  assertFatal(tempCsv('zero.csv', HEADER + GOOD + '2006-01-03,10,11,0,10,1\n'), 'NON_POSITIVE_PRICE', /:3: field "low" = "0": must be positive/);
  assertFatal(tempCsv('neg.csv', HEADER + '2006-01-02,-1,11,9,10,1\n'), 'NON_POSITIVE_PRICE', /:2: field "open" = "-1"/);
});

test('missing field, wrong field count', () => {
  assertFatal(tempCsv('empty-field.csv', HEADER + GOOD + '2006-01-03,10,,9,10,1\n'), 'MISSING_FIELD', /:3: field "high": is empty/);
  assertFatal(tempCsv('short.csv', HEADER + GOOD + GOOD.replace('02', '03') + '2006-01-04,10,11,9,10\n'), 'WRONG_FIELD_COUNT', /:4: has 5 fields, expected 6/);
});

test('unparseable and missing timestamps', () => {
  assertFatal(tempCsv('ts.csv', HEADER + GOOD + '2006-01-33,10,11,9,10,1\n'), 'BAD_TIMESTAMP', /:3: field "time" = "2006-01-33": has day 33/);
  assertFatal(tempCsv('ts-empty.csv', HEADER + GOOD + ',10,11,9,10,1\n'), 'MISSING_FIELD', /:3: field "time": is empty/);
  const split = tempCsv('split-time.csv', 'Date,Open,High,Low,Close,Volume\n2006-01-02,09:01:00,1,1,1,1,1\n2006-01-02,09:61:00,1,1,1,1,1\n');
  assertFatal(split, 'BAD_TIMESTAMP', /:3: field "time" = "09:61:00": has minute 61/);
});

test('a wall time skipped by DST in the given zone is refused', () => {
  const path = tempCsv('dst.csv', 'Datetime,Price\n2024-03-10 01:59:00,10\n2024-03-10 02:30:00,10\n');
  assert.throws(() => loadMarketData(path, { timeZone: 'America/New_York' }), /dst\.csv:3: field "time" = "2024-03-10 02:30:00": does not exist in America\/New_York/);
  assert.equal(loadMarketData(path).kind, 'trades', 'fine in UTC');
});

test('out-of-order timestamps are fatal; the message names both lines', () => {
  const path = tempCsv('order.csv', HEADER + '2006-01-03,10,11,9,10,1\n2006-01-02,10,11,9,10,1\n');
  assertFatal(path, 'OUT_OF_ORDER', /:3: field "time" = "2006-01-02": is earlier than line 2 \(2006-01-03\)/);
});

test('high below low and negative volume are fatal', () => {
  assertFatal(tempCsv('hl.csv', HEADER + '2006-01-02,10,9,11,10,1\n'), 'HIGH_BELOW_LOW', /:2: field "high" = "9": is below low 11/);
  assertFatal(tempCsv('vol.csv', HEADER + '2006-01-02,10,11,9,10,-5\n'), 'NEGATIVE_VOLUME', /:2: field "volume" = "-5": must not be negative/);
});

test('ticks: negative sizes and zero bids are fatal', () => {
  assertFatal(tempCsv('trade.csv', 'Timestamp,Price,Size\n2006-01-02 09:00:00.100,10,-1\n'), 'NEGATIVE_SIZE', /field "size" = "-1"/);
  assertFatal(tempCsv('quote.csv', 'Time,Bid,Ask,BidSize,AskSize\n2006-01-02 09:00:00,0,10,1,1\n'), 'NON_POSITIVE_PRICE', /:2: field "bid" = "0"/);
  assertFatal(tempCsv('quote2.csv', 'Time,Bid,Ask,BidSize,AskSize\n2006-01-02 09:00:00,9,10,1,-2\n'), 'NEGATIVE_SIZE', /field "askSize" = "-2"/);
});

test('the loader reports the earliest error and counts the rest; validate lists them all', () => {
  const path = tempCsv('many.csv', HEADER + '2006-01-02,10,11,9,x,1\n2006-01-03,10,11,9,10,-1\n2006-01-04,10,11,9,y,1\n');
  assertFatal(path, 'NOT_A_NUMBER', /:2: field "close" = "x"/, /2 more errors; run "keel data validate/);
  const report = validateMarketData(path);
  assert.deepEqual(report.errors.map((e) => [e.line, e.code, e.field]), [
    [2, 'NOT_A_NUMBER', 'close'], [3, 'NEGATIVE_VOLUME', 'volume'], [4, 'NOT_A_NUMBER', 'close'],
  ]);
  assert.equal(report.rows, 3);
});

test('validate caps each code at 20 and says how many more', () => {
  let text = HEADER;
  for (let d = 1; d <= 25; d++) text += `2006-02-${String(d).padStart(2, '0')},10,11,9,bad,1\n`;
  const report = validateMarketData(tempCsv('cap.csv', text));
  assert.equal(report.errors.length, 21);
  assert.deepEqual(report.errors.at(-1), { code: 'NOT_A_NUMBER', line: 0, message: '5 more NOT_A_NUMBER issues not listed', omitted: 5 });
  assert.equal(report.firstTs, null);
});

test('file-level problems name the path', () => {
  assertFatal('/no/such/dir/prices.csv', 'DATA_FILE_NOT_FOUND', /^\/no\/such\/dir\/prices\.csv: file not found/);
  assertFatal(tempCsv('empty.csv', '\n\n'), 'EMPTY_FILE', /empty\.csv: file is empty/);
  assertFatal(tempCsv('header-only.csv', HEADER), 'NO_DATA_ROWS', /header-only\.csv: has a header \(line 1\) but no data rows/);
  assertFatal(tempCsv('no-header.csv', GOOD + GOOD), 'NO_HEADER', /line 1 looks like data/);
});

test('a missing required column lists the header and suggests --columns', () => {
  const path = tempCsv('cols.csv', 'When,A,B,C\n2006-01-02,1,2,3\n');
  assertFatal(path, 'NO_COLUMN', /cols\.csv: no time column for bars \(header: When,A,B,C\)/, /pass --columns time=<column>,open=<column>/);
  const noClose = tempCsv('noclose.csv', 'Date,Open,High,Low\n2006-01-02,1,2,3\n');
  assertFatal(noClose, 'NO_COLUMN', /no close column for bars \(header: Date,Open,High,Low\)/);
  assert.throws(() => loadMarketData(path, { columns: { time: 'When', close: 'Last' } }), /cols\.csv: has no column "Last" for field "close" \(header: When,A,B,C\)/);
  assert.throws(() => loadMarketData(path, { useAdjustedClose: true, columns: { time: 'When', open: 'A', high: 'B', low: 'B', close: 'C' } }), /useAdjustedClose needs an adjusted close column/);
});

test('an unknown time zone is a KeelError before the file is read', () => {
  assert.throws(() => loadMarketData('/no/such.csv', { timeZone: 'Eastern' }), (e: unknown) => e instanceof KeelError && e.code === 'BAD_TIME_ZONE');
});
