import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvReader, splitCsvLine } from '../../src/data/csv.ts';

function readAll(text: string): [number, string[]][] {
  const csv = new CsvReader(text);
  const out: [number, string[]][] = [];
  for (let r = csv.next(); r; r = csv.next()) out.push([csv.line, r]);
  return out;
}

test('splits plain lines and trims fields', () => {
  assert.deepEqual(splitCsvLine('2006-01-02, 1.5 ,7'), ['2006-01-02', '1.5', '7']);
  assert.deepEqual(splitCsvLine(',Open,High'), ['', 'Open', 'High']);
  assert.deepEqual(splitCsvLine('a,'), ['a', '']);
});

test('quoted fields hold commas and escaped quotes', () => {
  assert.deepEqual(splitCsvLine('"2006-01-02","1,234.5",7'), ['2006-01-02', '1,234.5', '7']);
  assert.deepEqual(splitCsvLine('"say ""hi""",x'), ['say "hi"', 'x']);
  assert.deepEqual(splitCsvLine('"a",""'), ['a', '']);
  assert.deepEqual(splitCsvLine('"open'), ['open'], 'an unterminated quote runs to the end of the line');
});

test('BOM, CRLF, blank and trailing lines; line numbers count every physical line', () => {
  const text = '\uFEFFDate,Close\r\n2006-01-02,1\r\n\r\n2006-01-03,2\r\n\n  \n';
  assert.deepEqual(readAll(text), [
    [1, ['Date', 'Close']],
    [2, ['2006-01-02', '1']],
    [4, ['2006-01-03', '2']],
  ]);
  assert.deepEqual(readAll('a\nb'), [[1, ['a']], [2, ['b']]], 'no final newline');
  assert.deepEqual(readAll(''), []);
});
