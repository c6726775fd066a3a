/**
 * Needs the machine's Redis on 127.0.0.1:6379. Two `keel worker` processes and a `keel optimize --queue`
 * coordinator run as real processes on a queue name unique to this run; one worker is SIGKILLed mid-sweep.
 * Its trial must be recovered (BullMQ's stalled-job check, fast here with --lock-ms 1000) and run by the
 * other worker, and the finished table must equal a local run's byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { keelAsync, ORCL, ROOT } from '../../helpers/cli.ts';

const URL = 'redis://127.0.0.1:6379';
const queueName = `keel-test-${randomUUID()}`;
const dir = mkdtempSync(join(tmpdir(), 'keel-queue-'));
const redis = new Redis(URL);
const children: ChildProcess[] = [];

test.after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  const keys = await redis.keys(`keel:${queueName}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

function worker(): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'worker', '--queue', URL, '--queue-name', queueName, '--lock-ms', '1000'], { cwd: ROOT, env: { ...process.env, KEEL_DEBUG: '' } });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  return { child, log: () => log };
}

const sweep = ['optimize', '--strategy', 'sma-cross', '--data', ORCL, '--commission-pct', '0.1', '--grid', 'fast=5..50:5,slow=20..200:10', '--constraint', 'fast<slow', '--top', '2'];

test('two queue workers and a coordinator; one worker killed mid-sweep; the table equals a local run', async () => {
  const a = worker();
  const b = worker();
  const coordinator = keelAsync([...sweep, '--queue', URL, '--queue-name', queueName, '--out', join(dir, 'queue')]);
  // Wait until both workers hold a trial, after some have finished, then kill one without warning.
  const deadline = Date.now() + 60_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `the sweep never got going; worker logs: ${a.log()} ${b.log()}`);
    const [done, active] = await Promise.all([redis.zcard(`keel:${queueName}:completed`), redis.llen(`keel:${queueName}:active`)]);
    if (done >= 15 && active === 2) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  a.child.kill('SIGKILL');
  const [queued, local] = await Promise.all([coordinator, keelAsync([...sweep, '--workers', '1', '--out', join(dir, 'local')])]);
  assert.equal(queued.code, 0, queued.stderr);
  assert.equal(local.code, 0, local.stderr);
  assert.match(queued.stdout, new RegExp(`queue ${queueName} on redis://127\\.0\\.0\\.1:6379`));
  for (const f of ['trials.csv', 'trials.json', 'diagnostics.json']) {
    assert.equal(readFileSync(join(dir, 'queue', f), 'utf8'), readFileSync(join(dir, 'local', f), 'utf8'), `${f} equals the local run's`);
  }
  assert.equal(readFileSync(join(dir, 'queue', 'trials.csv'), 'utf8').trim().split('\n').length, 1 + 174);
  // The killed worker's trial came back through BullMQ's stalled-job check.
  const events = await redis.xrange(`keel:${queueName}:events`, '-', '+');
  assert.ok(events.some(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled'), 'a stalled job was recovered');
  assert.equal(a.child.signalCode, 'SIGKILL');
  // The survivor stops cleanly on SIGTERM.
  const exited = new Promise<number | null>((r) => b.child.on('exit', (code) => r(code)));
  b.child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('a walk-forward over the queue (trial ids repeat per window; job ids must not) equals the local one', async () => {
  const w = worker();
  const wf = ['walkforward', '--strategy', 'sma-cross', '--data', ORCL, '--grid', 'fast=10..30:10,slow=50..150:50', '--constraint', 'fast<slow', '--train', '6y', '--test', '3y'];
  const [queued, local] = await Promise.all([
    keelAsync([...wf, '--queue', URL, '--queue-name', queueName, '--out', join(dir, 'wf-queue')]),
    keelAsync([...wf, '--workers', '1', '--out', join(dir, 'wf-local')]),
  ]);
  assert.equal(queued.code, 0, queued.stderr);
  assert.equal(local.code, 0, local.stderr);
  for (const f of ['windows.csv', 'oos-equity.csv', 'walkforward.json']) assert.equal(readFileSync(join(dir, 'wf-queue', f), 'utf8'), readFileSync(join(dir, 'wf-local', f), 'utf8'), f);
  assert.ok(readFileSync(join(dir, 'wf-queue', 'windows.csv'), 'utf8').trim().split('\n').length >= 4);
  w.child.kill('SIGTERM');
});

test('trials are batched into jobs: at most 8 per job, at least four jobs for four or more trials', async () => {
  const { chunkTasks } = await import('../../../src/backtest/queue/index.ts');
  const tasks = (n: number) => Array.from({ length: n }, (_, id) => ({ id, params: {} }));
  assert.deepEqual(chunkTasks(tasks(174)).map((c) => c.length).slice(0, 2), [8, 8]);
  assert.equal(chunkTasks(tasks(174)).flat().length, 174);
  assert.deepEqual(chunkTasks(tasks(8)).map((c) => c.length), [2, 2, 2, 2]);
  assert.deepEqual(chunkTasks(tasks(3)).map((c) => c.length), [1, 1, 1]);
});
