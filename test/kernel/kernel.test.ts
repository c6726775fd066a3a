import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, Kernel, MessageBus, SeededRandom, SimClock } from '../../src/kernel/index.ts';
import type { MarketEvent } from '../../src/model/index.ts';

test('event queue pops in time order and keeps insertion order for equal times', () => {
  const q = new EventQueue();
  const seen: string[] = [];
  const h = { onScheduled: (p: string) => { seen.push(p); } };
  const rng = new SeededRandom(3);
  const expected: Array<[number, string]> = [];
  for (let i = 0; i < 500; i++) {
    const ts = rng.int(50);
    q.schedule(ts, h, `${ts}:${i}`);
    expected.push([ts, `${ts}:${i}`]);
  }
  while (q.size) q.dispatchNext();
  expected.sort((a, b) => a[0] - b[0]); // Array.prototype.sort is stable
  assert.deepEqual(seen, expected.map((e) => e[1]));
});

test('the clock refuses to go backwards', () => {
  const c = new SimClock(10);
  c.advanceTo(20);
  assert.throws(() => c.advanceTo(19), /before the clock/);
});

test('kernel merges streams by time, runs due internal events first, and advances the clock', () => {
  const clock = new SimClock();
  const k = new Kernel(clock);
  const log: string[] = [];
  const ev = (id: string, ts: number): MarketEvent => ({ type: 'trade', instrumentId: id, ts, price: 1, size: 1 });
  k.addHandler({ onMarketEvent: (e) => { log.push(`${e.instrumentId}@${e.ts}/${clock.now()}`); if (e.ts === 1) k.queue.schedule(3, { onScheduled: () => { log.push(`timer/${clock.now()}`); } }, null); } });
  k.run([[ev('A', 1), ev('A', 3), ev('A', 5)], [ev('B', 2), ev('B', 3)]]);
  assert.deepEqual(log, ['A@1/1', 'B@2/2', 'timer/3', 'A@3/3', 'B@3/3', 'A@5/5']);
});

test('message bus delivers synchronously in subscription order and unsubscribes', () => {
  const bus = new MessageBus<{ fill: number }>();
  const got: string[] = [];
  const off = bus.subscribe('fill', (n) => got.push(`a${n}`));
  bus.subscribe('fill', (n) => got.push(`b${n}`));
  bus.publish('fill', 1);
  off();
  bus.publish('fill', 2);
  assert.deepEqual(got, ['a1', 'b1', 'b2']);
});

test('seeded random is reproducible and uniform enough', () => {
  const a = new SeededRandom(42), b = new SeededRandom(42);
  const xs = Array.from({ length: 10_000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 100), Array.from({ length: 100 }, () => b.next()));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
