import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeelError } from '../../src/model/index.ts';
import { ControlPoller, FileTradingStateStore, sendControlCommand, type ControlAck } from '../../src/ops/index.ts';
import { RecordingKillTarget, standInEngine } from '../helpers/control-stand-in.ts';

const root = mkdtempSync(join(tmpdir(), 'keel-control-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `c${++dirs}`);

/** Send a command the way a sender does: write *.tmp, then rename to *.json. */
function drop(dir: string, name: string, body: string): void {
  mkdirSync(join(dir, 'commands'), { recursive: true });
  writeFileSync(join(dir, 'commands', `${name}.tmp`), body);
  renameSync(join(dir, 'commands', `${name}.tmp`), join(dir, 'commands', `${name}.json`));
}

function ack(dir: string, name: string): ControlAck {
  return JSON.parse(readFileSync(join(dir, 'acks', `${name}.json`), 'utf8'));
}

/** A pid that certainly is not running: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

test('open registers the engine; kill halts, cancels through the kill target and answers with what it did', () => {
  const dir = freshDir();
  const e = standInEngine(dir, { description: 'backtest sma-cross' });
  e.channel.open();
  const info = JSON.parse(readFileSync(join(dir, 'engine.json'), 'utf8'));
  assert.equal(info.pid, process.pid);
  assert.equal(info.description, 'backtest sma-cross');
  assert.ok(!Number.isNaN(Date.parse(info.startedAt)));

  drop(dir, '001', JSON.stringify({ type: 'kill', by: 'alice', reason: 'runaway orders' }));
  assert.equal(e.channel.poll(), 1);
  assert.equal(e.state.state, 'HALTED');
  assert.deepEqual(e.target.cancels, ['kill switch: runaway orders']);
  assert.deepEqual(e.target.flattens, [], 'no flatten unless asked (flattenByDefault is false)');
  const a = ack(dir, '001');
  assert.ok(a.ok && a.type === 'kill');
  assert.deepEqual(a.event.canceled, ['O-1', 'O-2']);
  assert.deepEqual(a.event.flattenOrders, []);
  assert.equal(a.event.by, 'operator alice');
  assert.equal(a.event.ts, e.clock.now(), 'event time is the engine clock');
  assert.deepEqual(a.status, { state: 'HALTED', reason: 'kill switch: runaway orders' });
  assert.deepEqual(readdirSync(join(dir, 'commands')), [], 'the command is consumed');
  const changed = e.events.find((x) => x.type === 'risk.state-changed');
  assert.deepEqual(changed && changed.type === 'risk.state-changed' && changed.by, { kind: 'kill-switch', who: 'operator alice' });
  e.channel.close();
  assert.equal(existsSync(join(dir, 'engine.json')), false);
});

test('kill with flatten closes positions; rearm restores ACTIVE once; status reports state and engine', () => {
  const dir = freshDir();
  const e = standInEngine(dir);
  e.channel.open();
  drop(dir, '001', JSON.stringify({ type: 'kill', by: 'bob', reason: 'venue trouble', flatten: true }));
  drop(dir, '002', JSON.stringify({ type: 'status' }));
  drop(dir, '003', JSON.stringify({ type: 'rearm', by: 'bob', reason: 'venue back' }));
  drop(dir, '004', JSON.stringify({ type: 'rearm', by: 'bob', reason: 'again' }));
  assert.equal(e.channel.poll(), 4);
  const kill = ack(dir, '001');
  assert.ok(kill.ok && kill.type === 'kill');
  assert.deepEqual(kill.event.flattenOrders, ['F-1-AAPL']);
  const status = ack(dir, '002');
  assert.ok(status.ok && status.type === 'status');
  assert.equal(status.status.state, 'HALTED', 'commands run in name order: status saw the kill');
  assert.equal(status.engine.pid, process.pid);
  const rearm = ack(dir, '003');
  assert.ok(rearm.ok && rearm.type === 'rearm');
  assert.equal(rearm.changed, true);
  assert.deepEqual(rearm.status, { state: 'ACTIVE', reason: 'venue back' });
  const again = ack(dir, '004');
  assert.ok(again.ok && again.type === 'rearm');
  assert.equal(again.changed, false);
  assert.equal(e.state.state, 'ACTIVE');
  e.channel.close();
});

test('malformed commands get an error ack and never crash the engine; half-written files are not read', () => {
  const dir = freshDir();
  const e = standInEngine(dir);
  e.channel.open();
  drop(dir, '001', '{"type": "kill", "by": ');
  drop(dir, '002', JSON.stringify({ type: 'explode' }));
  drop(dir, '003', JSON.stringify({ type: 'kill', by: 'alice' }));
  drop(dir, '004', JSON.stringify({ type: 'kill', by: 'alice', reason: 'x', flatten: 'yes' }));
  drop(dir, '005', '[1,2]');
  writeFileSync(join(dir, 'commands', '000-in-flight.tmp'), '{"type": "kil');
  drop(dir, '006', JSON.stringify({ type: 'status' }));
  assert.equal(e.channel.poll(), 6);
  const errors = ['001', '002', '003', '004', '005'].map((n) => ack(dir, n));
  for (const a of errors) assert.equal(a.ok, false);
  const messages = errors.map((a) => (a.ok ? '' : a.error));
  assert.match(messages[0], /not valid JSON/);
  assert.match(messages[1], /type = "explode": is not a control command/);
  assert.match(messages[2], /^reason: is required$/);
  assert.match(messages[3], /flatten = "yes": must be true or false/);
  assert.match(messages[4], /must be a JSON object/);
  assert.equal(ack(dir, '002').ok === false && ack(dir, '002').type, 'explode');
  assert.equal(ack(dir, '006').ok, true, 'a good command after bad ones still runs');
  assert.equal(e.state.state, 'ACTIVE');
  assert.deepEqual(e.target.cancels, []);
  assert.deepEqual(readdirSync(join(dir, 'commands')), ['000-in-flight.tmp'], 'the .tmp is left for its writer to finish');
  e.channel.close();
});

test('a handler bug is answered, then rethrown so it crashes loudly', () => {
  const dir = freshDir();
  const target = new RecordingKillTarget();
  target.failWith = new Error('venue adapter exploded');
  const e = standInEngine(dir, { target });
  e.channel.open();
  drop(dir, '001', JSON.stringify({ type: 'kill', by: 'alice', reason: 'x' }));
  assert.throws(() => e.channel.poll(), /venue adapter exploded/);
  const a = ack(dir, '001');
  assert.ok(!a.ok);
  assert.equal(a.error, 'venue adapter exploded');
  assert.deepEqual(readdirSync(join(dir, 'commands')), []);
  assert.equal(e.state.state, 'HALTED', 'HALTED was set before the cancels failed');
  e.channel.close();
});

test('open refuses a directory a live engine owns, takes over a dead one, and answers leftover commands with an error', () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ pid: process.ppid, startedAt: '2024-01-01T00:00:00.000Z', description: 'other engine' }));
  const e = standInEngine(dir);
  assert.throws(() => e.channel.open(), (err: unknown) => err instanceof KeelError && err.code === 'CONTROL_DIR_IN_USE' && /in use by engine pid \d+ \(other engine/.test(err.message));

  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ pid: deadPid(), startedAt: '2024-01-01T00:00:00.000Z', description: 'crashed engine' }));
  drop(dir, '001', JSON.stringify({ type: 'kill', by: 'alice', reason: 'stale' }));
  writeFileSync(join(dir, 'commands', '002.claimed'), JSON.stringify({ type: 'status' }));
  e.channel.open();
  assert.equal(e.channel.engine?.pid, process.pid);
  assert.equal(e.channel.poll(), 0);
  assert.equal(e.state.state, 'ACTIVE', 'a kill meant for the previous engine is not executed');
  const a1 = ack(dir, '001');
  assert.ok(!a1.ok && /sent before this engine started/.test(a1.error));
  const a2 = ack(dir, '002');
  assert.ok(!a2.ok && /outcome is unknown/.test(a2.error));
  e.channel.close();
});

test('the poller reads the wall clock once per 1024 events and polls once the interval has passed', () => {
  let polls = 0;
  let clockReads = 0;
  let wall = 1_000;
  const poller = new ControlPoller({ poll: () => { polls++; } }, { intervalMs: 200, wallClock: () => { clockReads++; return wall; } });
  const readsAtStart = clockReads;
  for (let i = 0; i < 1023; i++) poller.onMarketEvent();
  assert.equal(clockReads, readsAtStart, 'no clock read before the 1024th event');
  poller.onMarketEvent();
  assert.equal(clockReads, readsAtStart + 1);
  assert.equal(polls, 0, 'interval not yet passed');
  wall += 199;
  for (let i = 0; i < 1024; i++) poller.onMarketEvent();
  assert.equal(polls, 0);
  wall += 1;
  for (let i = 0; i < 1023; i++) poller.onMarketEvent();
  assert.equal(polls, 0, 'even past the interval, it waits for the next 1024th event');
  poller.onMarketEvent();
  assert.equal(polls, 1);
  for (let i = 0; i < 4096; i++) poller.onMarketEvent();
  assert.equal(polls, 1, 'the interval restarts from the last poll');
  wall += 200;
  for (let i = 0; i < 1024; i++) poller.onMarketEvent();
  assert.equal(polls, 2);
  poller.start();
  assert.equal(polls, 3, 'start() polls at once');
});

test('the poller timer polls an engine that yields to the event loop, and stops', async () => {
  let polls = 0;
  const poller = new ControlPoller({ poll: () => { polls++; } });
  poller.startTimer(5);
  await sleep(60);
  poller.stop();
  const seen = polls;
  assert.ok(seen >= 2, `polled ${seen} times`);
  await sleep(30);
  assert.equal(polls, seen);
});

test('FileTradingStateStore round-trips, refuses a corrupt file, and a HALTED engine comes back HALTED', () => {
  const dir = freshDir();
  const store = new FileTradingStateStore(dir);
  assert.equal(store.load(), undefined);
  store.save({ state: 'REDUCING', reason: 'daily loss', by: 'breaker daily-loss', ts: 5 });
  assert.deepEqual(new FileTradingStateStore(dir).load(), { state: 'REDUCING', reason: 'daily loss', by: 'breaker daily-loss', ts: 5 });
  assert.deepEqual(readdirSync(dir), ['state.json'], 'no temp file left behind');

  const dir2 = freshDir();
  const first = standInEngine(dir2, { persist: true });
  assert.equal(first.restored, undefined);
  first.channel.open();
  drop(dir2, '001', JSON.stringify({ type: 'kill', by: 'alice', reason: 'runaway orders' }));
  first.channel.poll();
  first.channel.close();
  const saved = JSON.parse(readFileSync(join(dir2, 'state.json'), 'utf8'));
  assert.equal(saved.state, 'HALTED');
  assert.equal(saved.by, 'kill switch (operator alice)');

  const second = standInEngine(dir2, { persist: true });
  assert.equal(second.state.state, 'HALTED');
  assert.match(second.state.reason, /^kill switch: runaway orders \(set by kill switch \(operator alice\), restored on start\)$/);
  const restart = second.events.find((x) => x.type === 'risk.state-changed');
  assert.ok(restart && restart.type === 'risk.state-changed' && restart.by.kind === 'restart');

  second.channel.open();
  drop(dir2, '002', JSON.stringify({ type: 'rearm', by: 'alice', reason: 'fixed' }));
  second.channel.poll();
  second.channel.close();
  assert.equal(standInEngine(dir2, { persist: true }).state.state, 'ACTIVE', 're-armed is remembered too');

  writeFileSync(join(dir, 'state.json'), '{"state": "PAUSED"}');
  assert.throws(() => store.load(), (err: unknown) => err instanceof KeelError && err.code === 'BAD_STATE_FILE');
  writeFileSync(join(dir, 'state.json'), 'not json');
  assert.throws(() => store.load(), /is not a saved trading state/);
});

test('sendControlCommand: no engine, dead engine, answered, withdrawn on timeout, and unknown outcome', async () => {
  const dir = freshDir();
  assert.deepEqual(await sendControlCommand(dir, { type: 'status' }), { delivered: false, outcome: 'no-engine', engine: undefined });

  mkdirSync(dir, { recursive: true });
  const dead = deadPid();
  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ pid: dead, startedAt: '2024-01-01T00:00:00.000Z', description: 'crashed' }));
  const r1 = await sendControlCommand(dir, { type: 'status' });
  assert.equal(r1.outcome, 'engine-not-running');
  assert.equal(r1.engine?.pid, dead);
  assert.equal(existsSync(join(dir, 'commands')), false, 'nothing was written for a dead engine');

  const e = standInEngine(dir);
  e.channel.open();
  const poller = new ControlPoller(e.channel);
  poller.startTimer(5);
  const r2 = await sendControlCommand(dir, { type: 'kill', by: 'alice', reason: 'test', flatten: true }, { timeoutMs: 2000 });
  poller.stopTimer();
  assert.equal(r2.outcome, 'answered');
  assert.ok(r2.outcome === 'answered' && r2.ack.ok && r2.ack.type === 'kill');
  assert.deepEqual(r2.ack.event.canceled, ['O-1', 'O-2']);
  assert.deepEqual(readdirSync(join(dir, 'acks')), [], 'the sender removes the ack it read');

  // The engine is registered and alive (this process) but nobody polls: the command is withdrawn.
  const r3 = await sendControlCommand(dir, { type: 'rearm', by: 'alice', reason: 'late' }, { timeoutMs: 100 });
  assert.equal(r3.outcome, 'timeout');
  assert.ok(r3.outcome === 'timeout' && r3.withdrawn && r3.waitedMs >= 100);
  assert.deepEqual(readdirSync(join(dir, 'commands')), []);
  e.channel.poll();
  assert.equal(e.state.state, 'HALTED', 'a withdrawn rearm never runs');

  // The engine takes the command but never answers: it cannot be withdrawn, and the outcome is unknown.
  const claim = setTimeout(() => {
    for (const f of readdirSync(join(dir, 'commands'))) if (f.endsWith('.json')) renameSync(join(dir, 'commands', f), join(dir, 'commands', f.replace(/\.json$/, '.claimed')));
  }, 30);
  const r4 = await sendControlCommand(dir, { type: 'status' }, { timeoutMs: 100, claimGraceMs: 50 });
  clearTimeout(claim);
  assert.ok(r4.outcome === 'timeout' && !r4.withdrawn);
  e.channel.close();

  // The engine closes while we wait: the sender stops waiting early.
  const e2 = standInEngine(dir);
  e2.channel.open();
  setTimeout(() => e2.channel.close(), 50);
  const r5 = await sendControlCommand(dir, { type: 'status' }, { timeoutMs: 5000 });
  assert.ok(r5.outcome === 'engine-stopped' && r5.withdrawn && r5.waitedMs < 2000);
});
