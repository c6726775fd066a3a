import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, MarketEvent, TradeTick } from '../../../src/model/index.ts';
import { FeedFailover, ManualClock, ScriptedFeed, type FailoverConfigInput, type LiveStatusEvent } from '../../../src/data/live/index.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

function setup(config: FailoverConfigInput = {}, opts: { feeds?: number; isMarketOpen?: (id: string, ts: number) => boolean; start?: boolean } = {}) {
  const clock = new ManualClock(T0);
  const feeds = Array.from({ length: opts.feeds ?? 2 }, (_, i) => new ScriptedFeed(i === 0 ? 'primary' : `backup${i}`));
  const out: MarketEvent[] = [];
  const statuses: LiveStatusEvent[] = [];
  const f = new FeedFailover({
    feeds, clock, instrumentIds: ['ES'], config: { staleAfterMs: 5000, holdDownMs: 30_000, ...config },
    output: { onEvent: (e) => out.push(e), onStatus: (s) => statuses.push(s) },
    ...(opts.isMarketOpen ? { isMarketOpen: opts.isMarketOpen } : {}),
  });
  if (opts.start !== false) f.start();
  // Every 250 ms, as the data source's timer would.
  clock.every(250, () => f.checkHealth());
  return { clock, feeds, f, out, statuses, primary: feeds[0], backup: feeds[1] };
}

const trade = (ts: number, price = 4500): TradeTick => ({ type: 'trade', instrumentId: 'ES', ts, price, size: 1 });
const bar = (ts: number, close = 4500): Bar => ({ type: 'bar', instrumentId: 'ES', ts, open: close, high: close, low: close, close, volume: 1 });
const failovers = (s: LiveStatusEvent[]) => s.filter((x) => x.type === 'feed.failover');

/** Both feeds send the same trade stream every 100 ms for `ms`, with the clock. */
function stream(clock: ManualClock, feeds: ScriptedFeed[], ms: number, price = 4500): void {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(100);
    for (const feed of feeds) feed.push(trade(clock.now(), price));
  }
}

test('only the active feed is passed on; the standby feeds health only', () => {
  const { clock, primary, backup, f, out } = setup();
  stream(clock, [primary, backup], 1000);
  assert.equal(out.length, 10);
  assert.equal(f.activeFeed, 'primary');
  assert.deepEqual([f.counters.forwarded, f.counters.standby], [10, 10]);
  assert.deepEqual(f.health().map((h) => [h.name, h.active, h.healthy, h.lastEventAgeMs]), [['primary', true, true, 0], ['backup1', false, true, 0]]);
});

test('failover on disconnect: at once, to the next healthy feed, with the reason', () => {
  const { clock, primary, backup, f, out, statuses } = setup();
  stream(clock, [primary, backup], 1000);
  primary.disconnect('socket closed: 1006');
  assert.equal(f.activeFeed, 'backup1');
  const fo = failovers(statuses)[0];
  assert.deepEqual(fo, { type: 'feed.failover', ts: T0 + 1000, from: 'primary', to: 'backup1', reason: 'primary disconnected (socket closed: 1006)', switchBack: false });
  stream(clock, [primary, backup], 500);
  assert.equal(out.length, 15);
  assert.equal(f.counters.failovers, 1);
});

test('failover on staleness: silent for exactly staleAfterMs is not stale, a timer tick later it is', () => {
  const { clock, primary, backup, f, statuses } = setup({ staleAfterMs: 5000 });
  stream(clock, [primary, backup], 1000); // last primary event at T0 + 1000
  const end = T0 + 6000;
  while (clock.now() < end) {
    clock.advance(100);
    backup.push(trade(clock.now()));
  }
  assert.equal(clock.now(), T0 + 6000);
  assert.equal(f.activeFeed, 'primary', 'silent for exactly 5000 ms');
  clock.advance(250); // the next timer tick
  assert.equal(f.activeFeed, 'backup1');
  assert.deepEqual(statuses.filter((s) => s.type === 'feed.stale').map((s) => s.type === 'feed.stale' && s.feed), ['primary']);
  assert.match(failovers(statuses)[0].type === 'feed.failover' ? (failovers(statuses)[0] as { reason: string }).reason : '',
    /^primary is stale: no events for 5\.\d s \(limit 5 s\)$/);
});

test('a standby event takes over at once when the active has been silent too long (no wait for the timer)', () => {
  const { clock, primary, backup, f, out } = setup({ staleAfterMs: 5000 });
  primary.push(trade(T0 + 1));
  clock.advanceTo(T0 + 5003); // the primary has been silent 5002 ms; the last timer tick (T0 + 5000) saw 4999
  assert.equal(f.activeFeed, 'primary');
  backup.push(trade(clock.now()));
  assert.equal(f.activeFeed, 'backup1');
  assert.equal(out.at(-1)?.ts, clock.now(), 'the event that revealed the backup is passed on');
});

test('no staleness while the market is closed; a disconnect still fails over', () => {
  const { clock, primary, backup, f } = setup({}, { isMarketOpen: () => false });
  stream(clock, [backup], 60_000);
  assert.equal(f.activeFeed, 'primary');
  primary.disconnect('maintenance');
  assert.equal(f.activeFeed, 'backup1');
});

test('no healthy feed: one feed.unavailable, then failover as soon as one recovers', () => {
  const { clock, primary, backup, f, statuses } = setup();
  backup.disconnect('down');
  primary.disconnect('down too');
  clock.advance(1000);
  assert.deepEqual(statuses.filter((s) => s.type === 'feed.unavailable').length, 1);
  assert.equal(f.activeFeed, 'primary');
  backup.connect();
  assert.equal(f.activeFeed, 'backup1');
});

test('a primary that never connects loses the role after staleAfterMs from start, not before', () => {
  const clock = new ManualClock(T0);
  const stuck = new ScriptedFeed('stuck', { connectOnStart: false });
  const backup = new ScriptedFeed('backup');
  const f = new FeedFailover({ feeds: [stuck, backup], clock, instrumentIds: ['ES'], config: { staleAfterMs: 5000 }, output: { onEvent() {} } });
  f.start();
  clock.every(250, () => f.checkHealth());
  stream(clock, [backup], 5000);
  assert.equal(f.activeFeed, 'stuck', 'still within its start-up grace');
  assert.equal(f.health()[0].problem, 'connecting');
  stream(clock, [backup], 300);
  assert.equal(f.activeFeed, 'backup');
});

test('no duplicate and no going back in time across a failover (bars overlapping between feeds)', () => {
  const { clock, primary, backup, f, out } = setup();
  // The primary delivers 14:30..14:34; the backup lags a little and replays some minutes at the switch.
  for (let i = 0; i < 5; i++) {
    clock.advance(M);
    primary.push(bar(T0 + i * M));
    if (i >= 1) backup.push(bar(T0 + (i - 1) * M));
  }
  primary.disconnect('timeout');
  assert.equal(f.activeFeed, 'backup1');
  backup.push(bar(T0 + 3 * M)); // already delivered by the primary
  backup.push(bar(T0 + 4 * M)); // already delivered
  backup.push(bar(T0 + 2 * M)); // older still
  backup.push(bar(T0 + 5 * M)); // new
  backup.push(bar(T0 + 6 * M));
  const ts = out.map((e) => (e.ts - T0) / M);
  assert.deepEqual(ts, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(f.counters.overlap, 3);
});

test('ticks at the switch are de-duplicated by (instrument, ts): equal stamps from the new feed are dropped, later ones pass', () => {
  const { clock, primary, backup, f, out } = setup();
  stream(clock, [primary, backup], 500);
  primary.disconnect('reset');
  const last = out.at(-1)!.ts;
  backup.push(trade(last));
  backup.push(trade(last + 1));
  backup.push(trade(last + 1, 4500.25)); // a second print in the same ms from the now-active feed is kept
  assert.deepEqual(out.slice(-2).map((e) => e.ts - last), [1, 1]);
  assert.equal(f.counters.overlap, 1);
});

test('switch back to the primary after it has been healthy for the hold-down period, not before', () => {
  const { clock, primary, backup, f, statuses } = setup({ holdDownMs: 30_000 });
  stream(clock, [primary, backup], 1000);
  primary.disconnect('socket closed');
  assert.equal(f.activeFeed, 'backup1');
  stream(clock, [backup], 10_000);
  primary.connect();
  stream(clock, [primary, backup], 29_900); // first primary event 100 ms after connecting
  assert.equal(f.activeFeed, 'backup1', 'healthy for 29.8 s');
  stream(clock, [primary, backup], 300);
  assert.equal(f.activeFeed, 'primary');
  const back = failovers(statuses).at(-1);
  assert.ok(back?.type === 'feed.failover' && back.switchBack && back.to === 'primary');
  assert.match((back as { reason: string }).reason, /^primary healthy again for 30(\.\d)? s \(hold-down 30 s\)$/);
  assert.equal(f.counters.switchBacks, 1);
});

test('a primary that flaps during the hold-down restarts it', () => {
  const { clock, primary, backup, f } = setup({ holdDownMs: 30_000 });
  primary.disconnect('x');
  primary.connect();
  stream(clock, [primary, backup], 20_000);
  primary.disconnect('flap');
  primary.connect();
  stream(clock, [primary, backup], 20_000);
  assert.equal(f.activeFeed, 'backup1');
  stream(clock, [primary, backup], 10_500);
  assert.equal(f.activeFeed, 'primary');
});

test('switchBack: false stays on the backup', () => {
  const { clock, primary, backup, f } = setup({ switchBack: false });
  primary.disconnect('x');
  primary.connect();
  stream(clock, [primary, backup], 120_000);
  assert.equal(f.activeFeed, 'backup1');
});

test('with three feeds the next healthy one in order takes over', () => {
  const { clock, feeds, f } = setup({}, { feeds: 3 });
  stream(clock, feeds, 500);
  feeds[1].disconnect('down');
  feeds[0].disconnect('down');
  assert.equal(f.activeFeed, 'backup2');
});
