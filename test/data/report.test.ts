import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValidationReport, validateMarketData, validationReportToJson } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

test('a clean file: summary line and OK', () => {
  const path = tempCsv('clean.csv', 'Date,Open,High,Low,Close\n2006-01-02,10,11,9,10\n2006-01-03,10,11,9,10.1\n');
  assert.equal(formatValidationReport(path, validateMarketData(path)), [
    `${path}: 2 rows of bars, 2006-01-02 → 2006-01-03, interval 1d, layout ohlcv`,
    'errors: none',
    'warnings: none',
    'OK',
    '',
  ].join('\n'));
});

test('errors then warnings, one line each, with line, field, value and code', () => {
  const path = tempCsv('bad.csv', 'Date,Open,High,Low,Close\n2006-01-02,10,11,9,10\n2006-01-02,10,11,9,10\n2006-01-03,10,11,9,abc\n');
  const text = formatValidationReport(path, validateMarketData(path));
  assert.equal(text, [
    `${path}: 3 rows of bars, 2006-01-02 → 2006-01-02, interval n/a, layout ohlcv`,
    'errors:',
    '  line 4: close = "abc": is not a number [NOT_A_NUMBER]',
    'warnings:',
    '  line 3: time = "2006-01-02": repeats line 2; the first is kept [DUPLICATE_TIMESTAMP]',
    'FAILED: 1 error(s); the file will not load until they are fixed',
    '',
  ].join('\n'));
});

test('JSON form: ISO times, ok flag, issues as they are', () => {
  const path = tempCsv('j.csv', 'Datetime,Price,Size\n2015-09-23T20:57:42.146,3067,1\n');
  const json = validationReportToJson(path, validateMarketData(path));
  assert.deepEqual(json, {
    file: path, ok: true, kind: 'trades', layout: 'trades', rows: 1,
    first: '2015-09-23T20:57:42.146Z', last: '2015-09-23T20:57:42.146Z', intervalMs: 0, errors: [], warnings: [],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
});
