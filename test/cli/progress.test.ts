import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration, formatRate, progressLine, type ProgressStream } from '../../src/cli/progress.ts';

/** A stream that records writes, and a clock the test moves by hand. */
function fakeTerminal(isTTY: boolean): ProgressStream & { chunks: string[] } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => (chunks.push(chunk), true) };
}

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('draws the bar, percent, counts, rate and ETA on one line with \\r', () => {
  const stream = fakeTerminal(true);
  const clock = fakeClock();
  const p = createProgress({ total: 1000, label: 'backtest', stream, now: clock.now });
  for (let i = 1; i <= 420; i++) {
    clock.advance(1); // 1,000 units/s
    p.tick(i);
  }
  const last = stream.chunks.at(-1) ?? '';
  assert.match(last, /^\rbacktest \[#+-+\] +\d+%  \d+\/1,000  1\.0k\/s  ETA \d+s\x1b\[K$/);
  assert.ok(!last.includes('\n'));
  assert.equal(progressLine('bt ', 420, 1000, 420, false), 'bt [########------------]  42%  420/1,000  1.0k/s  ETA 1s');
});

test('redraws at most ten times a second however often tick is called', () => {
  const stream = fakeTerminal(true);
  const clock = fakeClock();
  const p = createProgress({ total: 10_000_000, stream, now: clock.now });
  // Two simulated seconds at 5M ticks/s: the clock moves 0.2 ms every 1,000 ticks.
  for (let i = 1; i <= 10_000_000; i++) {
    if (i % 1000 === 0) clock.advance(0.2);
    p.tick(i);
  }
  assert.ok(stream.chunks.length >= 15 && stream.chunks.length <= 21, `drew ${stream.chunks.length} times in 2s`);
});

test('the clock is read rarely in a fast loop: every ~25 ms of work, at most every 0.1% of the run', () => {
  const count = (total: number): number => {
    let t = 0;
    let reads = 0;
    const p = createProgress({ total, stream: fakeTerminal(true), now: () => (reads++, t) });
    for (let i = 1; i <= 1_000_000; i++) {
      t += 0.001; // 1M ticks/s
      p.tick(i);
    }
    return reads;
  };
  // A long run: one second of work reads the clock about 1000 ms / 25 ms = 40 times, not a million.
  const long = count(100_000_000);
  assert.ok(long < 100, `clock read ${long} times`);
  // A 1M-tick run: the stride is capped at 1,000 ticks.
  const short = count(1_000_000);
  assert.ok(short <= 1_000 + 20, `clock read ${short} times`);
});

test('a slow loop redraws on time, and so does a fast loop that suddenly slows down', () => {
  const slow = fakeTerminal(true);
  const clock = fakeClock();
  const p = createProgress({ total: 100, stream: slow, now: clock.now });
  for (let i = 1; i <= 20; i++) {
    clock.advance(500); // 2 ticks/s
    p.tick(i);
  }
  assert.equal(slow.chunks.length, 20, 'every tick is half a second apart, so every tick redraws');

  const stalled = fakeTerminal(true);
  const q = createProgress({ total: 1_000_000, stream: stalled, now: clock.now });
  let i = 0;
  while (i < 500_000) {
    clock.advance(0.001); // 1M ticks/s: the stride grows
    q.tick(++i);
  }
  const before = stalled.chunks.length;
  for (let k = 0; k < 3_000; k++) {
    clock.advance(10); // then 100 ticks/s for 30 s
    q.tick(++i);
  }
  // The stride is capped at 1/1000 of the run (1,000 ticks = 10 s here), so the bar still moves.
  assert.ok(stalled.chunks.length - before >= 3, `redrew ${stalled.chunks.length - before} times while slow`);
});

test('finish draws the final line with the elapsed time and ends it; idempotent', () => {
  const stream = fakeTerminal(true);
  const clock = fakeClock();
  const p = createProgress({ total: 200, label: 'run', stream, now: clock.now });
  for (let i = 1; i <= 200; i++) {
    clock.advance(10);
    p.tick(i);
  }
  p.finish();
  p.finish();
  p.tick(200);
  const last = stream.chunks.at(-1) ?? '';
  assert.equal(last, '\rrun [####################] 100%  200/200  100/s  in 2s\x1b[K\n');
  assert.equal(stream.chunks.filter((c) => c.endsWith('\n')).length, 1);
});

test('a run that ends before the first redraw writes nothing', () => {
  const stream = fakeTerminal(true);
  const clock = fakeClock();
  const p = createProgress({ total: 10, stream, now: clock.now });
  for (let i = 1; i <= 10; i++) p.tick(i);
  p.finish();
  assert.deepEqual(stream.chunks, []);
});

test('draws nothing when the stream is not a TTY, unless forced; and not when disabled on a TTY', () => {
  const clock = fakeClock();
  const run = (stream: ProgressStream, enabled?: boolean): void => {
    const p = createProgress({ total: 100, stream, now: clock.now, enabled });
    for (let i = 1; i <= 100; i++) {
      clock.advance(50);
      p.tick(i);
    }
    p.finish();
  };
  const piped = fakeTerminal(false);
  run(piped);
  assert.deepEqual(piped.chunks, []);
  const forced = fakeTerminal(false);
  run(forced, true);
  assert.ok(forced.chunks.length > 0);
  const off = fakeTerminal(true);
  run(off, false);
  assert.deepEqual(off.chunks, []);
});

test('rates and durations read well', () => {
  assert.equal(formatRate(1_234_567), '1.2M/s');
  assert.equal(formatRate(850_000), '850k/s');
  assert.equal(formatRate(12), '12/s');
  assert.equal(formatDuration(3), '3s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3725), '1h02m');
  assert.equal(progressLine('', 0, 0, 0, false), '[--------------------]   0%  0/0  0/s  ETA --');
});
