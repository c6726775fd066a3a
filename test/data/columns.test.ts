import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import { parseColumnMapping } from '../../src/data/index.ts';

test('parses field=Header pairs; field names are case-insensitive, headers kept as written', () => {
  assert.deepEqual(parseColumnMapping('time=Date,close=Last'), { time: 'Date', close: 'Last' });
  assert.deepEqual(parseColumnMapping(' TIME = Gmt time , bid_size=BidVol,AdjClose=Adj Close'), { time: 'Gmt time', bidSize: 'BidVol', adjClose: 'Adj Close' });
  assert.deepEqual(parseColumnMapping('time=,close=c'), { time: '', close: 'c' }, 'empty name = the unnamed column');
});

test('bad mappings are KeelErrors on --columns that say what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['time=Date,close', /"close" without "="/],
    ['time=Date,last=Close', /unknown field "last"/],
    ['close=a,close=b', /maps "close" twice/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseColumnMapping(text), (e: unknown) => {
      assert.ok(e instanceof KeelError);
      assert.equal(e.code, 'BAD_COLUMN_MAPPING');
      assert.equal(e.field, '--columns');
      assert.match(e.message, why);
      assert.match(e.message, /fields: time, date, open/);
      return true;
    });
  }
});
