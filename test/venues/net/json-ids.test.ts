import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idString, parseJsonKeepingIds } from '../../../src/venues/net/index.ts';

test('integers beyond 2^53 become exact strings; everything else parses as JSON.parse', () => {
  const v = parseJsonKeepingIds('[{"T":"t","i":7446469938634049684,"p":43241.5,"s":0.001,"n":9007199254740991,"neg":-9007199254740993,"x":"12345678901234567890","e":1e300}]') as Array<Record<string, unknown>>;
  assert.deepEqual(v[0], { T: 't', i: '7446469938634049684', p: 43241.5, s: 0.001, n: 9007199254740991, neg: '-9007199254740993', x: '12345678901234567890', e: 1e300 });
  assert.deepEqual(parseJsonKeepingIds('{"a":1}'), { a: 1 });
  assert.throws(() => parseJsonKeepingIds('{bad'), SyntaxError);
  assert.equal(idString(12), '12');
  assert.equal(idString('7446469938634049684'), '7446469938634049684');
  assert.throws(() => idString(2 ** 60), /unsafe/);
});
