import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateBudget, TokenBucket } from '../../../src/venues/net/index.ts';

test('token bucket: burst up to capacity, then refills at the rate; delayMs says when', () => {
  let t = 0;
  const b = new TokenBucket({ capacity: 3, refillPerSecond: 2, now: () => t });
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(2), true);
  assert.equal(b.tryTake(), false);
  assert.equal(b.delayMs(), 500);
  t = 500;
  assert.equal(b.tryTake(), true);
  t = 10_000;
  assert.equal(b.available, 3); // never above capacity
});

test('pauseFor honours Retry-After: nothing is handed out until it passes, and a shorter pause cannot cut it', () => {
  let t = 0;
  const b = new TokenBucket({ capacity: 5, refillPerSecond: 5, now: () => t });
  b.pauseFor(2000);
  b.pauseFor(100);
  assert.equal(b.tryTake(), false);
  assert.equal(b.delayMs(), 2000);
  t = 2000;
  assert.equal(b.available, 0); // emptied: the venue said we used it up
  t = 2200;
  assert.equal(b.tryTake(), true);
});

test('take() serves waiters in order and rejects on abort', async () => {
  const b = new TokenBucket({ capacity: 1, refillPerSecond: 50 });
  const order: number[] = [];
  await b.take();
  const ac = new AbortController();
  const p1 = b.take().then(() => order.push(1));
  const p2 = b.take(1, ac.signal).then(() => order.push(2), () => order.push(-2));
  const p3 = b.take().then(() => order.push(3));
  ac.abort(new Error('gone'));
  await Promise.all([p1, p2, p3]);
  assert.deepEqual(order, [-2, 1, 3]);
});

test('rate budget: one bucket per account and group, shared by every caller; headroom for metrics', () => {
  const budget = new RateBudget({ now: () => 0 });
  const a = budget.bucket('alpaca:x', 'orders', { capacity: 10, refillPerSecond: 1 });
  const b = budget.bucket('alpaca:x', 'orders', { capacity: 99, refillPerSecond: 99 });
  assert.equal(a, b);
  assert.notEqual(budget.bucket('alpaca:y', 'orders', { capacity: 1, refillPerSecond: 1 }), a);
  a.tryTake(4);
  assert.deepEqual(budget.headroom()[0], { account: 'alpaca:x', group: 'orders', available: 6, capacity: 10, queued: 0, pausedUntil: 0 });
  assert.throws(() => budget.bucket('nobody', 'x'), /no limits/);
});
