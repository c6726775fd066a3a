import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../src/kernel/index.ts';
import { Backoff, backoffDelay, retry } from '../../../src/venues/net/index.ts';

test('full jitter stays within [0, min(max, base·2^n)] and is reproducible with a seed', () => {
  const draw = (seed: number) => { const r = new SeededRandom(seed); return Array.from({ length: 12 }, (_, i) => backoffDelay(i, { baseMs: 100, maxMs: 3000, random: () => r.next() })); };
  const a = draw(42);
  assert.deepEqual(a, draw(42));
  assert.notDeepEqual(a, draw(43));
  a.forEach((d, i) => assert.ok(d >= 0 && d <= Math.min(3000, 100 * 2 ** i), `attempt ${i}: ${d}`));
  assert.equal(backoffDelay(60, { baseMs: 100, maxMs: 3000, random: () => 0.999999 }), 2999);
  const b = new Backoff({ baseMs: 10, maxMs: 100, random: () => 1 - 1e-9 });
  assert.deepEqual([b.next(), b.next(), b.next()], [9, 19, 39]);
  b.reset();
  assert.equal(b.attempt, 0);
});

test('retry: idempotent requests are retried with backoff; non-idempotent ones never', async () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => { sleeps.push(ms); };
  let calls = 0;
  const flaky = async () => { if (++calls < 3) throw new Error('503'); return 'ok'; };
  assert.equal(await retry(flaky, { attempts: 5, baseMs: 100, maxMs: 1000, idempotent: true, random: () => 0.5, sleep }), 'ok');
  assert.deepEqual(sleeps, [50, 100]);
  calls = 0;
  await assert.rejects(retry(flaky, { attempts: 5, baseMs: 100, maxMs: 1000, idempotent: false, sleep }), /503/);
  assert.equal(calls, 1);
});

test('retry: honours Retry-After as a floor and stops on non-retryable errors', async () => {
  const sleeps: number[] = [];
  let calls = 0;
  await assert.rejects(retry(async () => { calls++; throw Object.assign(new Error('429'), { after: 1500 }); }, {
    attempts: 2, baseMs: 10, maxMs: 100, idempotent: true, random: () => 0, retryAfterMs: (e) => (e as { after: number }).after, sleep: async (ms) => { sleeps.push(ms); },
  }));
  assert.deepEqual(sleeps, [1500]);
  assert.equal(calls, 2);
  calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error('422'); }, { attempts: 5, baseMs: 1, maxMs: 1, idempotent: true, isRetryable: () => false }));
  assert.equal(calls, 1);
});
