import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { keel, ROOT } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'keel-cli-control-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
let dirs = 0;
const freshDir = () => join(root, `c${++dirs}`);

/** Start the stand-in engine (test/helpers/control-engine-process.ts) on `dir`; resolves with its "ready STATE" line. */
async function startEngine(dir: string): Promise<{ child: ChildProcess; ready: string }> {
  const child = spawn(process.execPath, [resolve(ROOT, 'test/helpers/control-engine-process.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const ready = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`engine not ready after 10s: ${stderr}`)), 10_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); res(stdout.slice(0, nl)); }
    });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`engine exited with ${code}: ${stderr}`)); });
  });
  return { child, ready };
}

async function stopEngine(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A user error: one line on stderr, nothing on stdout, a non-zero exit, no stack trace. */
function assertOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp, code = 2): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |KEEL_DEBUG/);
  assert.match(r.stderr, /^keel: /);
  assert.match(r.stderr, pattern);
}

function savedState(dir: string): { state: string; reason: string; by: string } {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
}

test('kill with no engine running saves HALTED and says so; the next engine starts HALTED; rearm and status work offline', async () => {
  const dir = freshDir();
  const kill = keel(['kill', '--control', dir, '--reason', 'weekend maintenance']);
  assert.equal(kill.code, 0, kill.stderr);
  assert.match(kill.stdout, new RegExp(`^no engine is running in ${dir}: nothing was canceled or flattened\\.\\n`));
  assert.match(kill.stdout, /saved HALTED to .*state\.json \(created the directory\): the next engine started with --control .* comes up HALTED until keel rearm/);
  assert.deepEqual(savedState(dir), { ...savedState(dir), state: 'HALTED', reason: 'kill switch: weekend maintenance', by: `kill switch (operator ${userInfo().username})` });

  const status = keel(['status', '--control', dir]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /saved state: HALTED — kill switch: weekend maintenance .*comes up HALTED/);

  const engine = await startEngine(dir);
  assert.equal(engine.ready, 'ready HALTED', 'the halt saved by keel kill is restored on start');
  await stopEngine(engine.child);

  const rearm = keel(['rearm', '--control', dir, '--reason', 'maintenance done', '--by', 'carol']);
  assert.equal(rearm.code, 0, rearm.stderr);
  assert.match(rearm.stdout, /saved ACTIVE to .*was HALTED.*comes up ACTIVE/);
  assert.equal(savedState(dir).state, 'ACTIVE');
  assert.equal(savedState(dir).by, 'operator carol');
  assert.match(keel(['rearm', '--control', dir, '--reason', 'again']).stdout, /no halt is saved there: nothing to re-arm/);
});

test('kill on a running engine is acknowledged with what was canceled and flattened; the halt survives a restart', async () => {
  const dir = freshDir();
  const engine = await startEngine(dir);
  assert.equal(engine.ready, 'ready ACTIVE');

  const before = keel(['status', '--control', dir]);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, new RegExp(`^engine pid ${engine.child.pid}: stand-in engine for the CLI tests, started \\d{4}-`));
  assert.match(before.stdout, /\nstate: ACTIVE\n$/);

  const kill = keel(['kill', '--control', dir, '--flatten', '--reason', 'runaway orders', '--by', 'alice', '--timeout', '5s']);
  assert.equal(kill.code, 0, kill.stderr);
  assert.equal(kill.stdout, [
    `kill switch pulled on engine pid ${engine.child.pid} (stand-in engine for the CLI tests) by operator alice: runaway orders`,
    'canceled: 2 working orders (O-1, O-2)',
    'flattened: 1 market order sent (F-1-AAPL)',
    'state: HALTED — kill switch: runaway orders',
    '',
  ].join('\n'));
  assert.deepEqual(readdirSync(join(dir, 'commands')), []);
  assert.deepEqual(readdirSync(join(dir, 'acks')), []);

  await stopEngine(engine.child);
  assert.equal(existsSync(join(dir, 'engine.json')), false, 'a clean stop unregisters');
  const restarted = await startEngine(dir);
  assert.equal(restarted.ready, 'ready HALTED');
  assert.match(keel(['status', '--control', dir]).stdout, /state: HALTED — kill switch: runaway orders \(set by kill switch \(operator alice\), restored on start\)/);

  const rearm = keel(['rearm', '--control', dir, '--reason', 'orders fixed', '--by', 'alice']);
  assert.equal(rearm.code, 0, rearm.stderr);
  assert.match(rearm.stdout, /^re-armed engine pid \d+ \(stand-in engine for the CLI tests\) as operator alice: ACTIVE — orders fixed\n$/);
  assert.match(keel(['rearm', '--control', dir, '--reason', 'again']).stdout, /was already ACTIVE: nothing changed/);
  const again = keel(['kill', '--control', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`by operator ${userInfo().username}: manual kill from the command line\ncanceled: 2 working orders \\(O-1, O-2\\)\nflattened: not asked \\(--flatten\\)`), 'defaults: --by is the OS user, a stock reason, no flatten');
  await stopEngine(restarted.child);
});

test('an engine.json whose pid has exited counts as no engine: kill saves HALTED and names the stale pid', () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ pid: dead, startedAt: '2024-01-02T09:00:00.000Z', description: 'crashed engine' }));
  const kill = keel(['kill', '--control', dir, '--by', 'bob']);
  assert.equal(kill.code, 0, kill.stderr);
  assert.match(kill.stdout, new RegExp(`engine\\.json names pid ${dead}, crashed engine, which has exited without unregistering\\): nothing was canceled or flattened`));
  assert.equal(savedState(dir).state, 'HALTED');
  assert.equal(existsSync(join(dir, 'commands')), false, 'no command was left for a dead engine');
  const status = keel(['status', '--control', dir]);
  assert.equal(status.code, 0);
  assert.match(status.stdout, /which has exited without unregistering\)\.\nsaved state: HALTED/);
});

test('an engine that does not answer in time: one line, exit 1, and the command is withdrawn', () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  // A live pid that never polls: this test process.
  writeFileSync(join(dir, 'engine.json'), JSON.stringify({ pid: process.pid, startedAt: '2024-01-02T09:00:00.000Z', description: 'stuck engine' }));
  const kill = keel(['kill', '--control', dir, '--timeout', '200ms']);
  assertOneLineError(kill, new RegExp(`engine pid ${process.pid} did not answer kill within 0\\.\\ds; the command was withdrawn and will not run; if it is stuck, stop process ${process.pid} and run keel kill again`), 1);
  assert.deepEqual(readdirSync(join(dir, 'commands')), []);
  assert.equal(existsSync(join(dir, 'state.json')), false, 'a running engine owns state.json');
});

test('bad arguments are one line and exit 2', () => {
  const dir = freshDir();
  assertOneLineError(keel(['kill']), /^keel: --control: is required/);
  assertOneLineError(keel(['kill', '--flatten', '--reason', 'x']), /--control: is required/);
  assertOneLineError(keel(['rearm', '--reason', 'ok']), /--control: is required/);
  assertOneLineError(keel(['status']), /--control: is required/);
  assertOneLineError(keel(['rearm', '--control', dir]), /--reason: is required/);
  assertOneLineError(keel(['kill', '--control', dir, '--timeout', '10']), /--timeout = "10": is not a duration \(e\.g\. 500ms, 10s or 1m\)/);
  assertOneLineError(keel(['kill', '--control', dir, '--by', ' ']), /--by = " ": must not be empty/);
  assertOneLineError(keel(['kill', '--control', dir, '--now']), /Unknown option '--now'/);
  assert.equal(existsSync(dir), false, 'nothing was written for a rejected command');
  mkdirSync(dir);
  writeFileSync(join(dir, 'state.json'), '{"state":"PAUSED"}');
  assertOneLineError(keel(['status', '--control', dir]), /state\.json: is not a saved trading state/);
  writeFileSync(join(dir, 'engine.json'), 'garbage');
  assertOneLineError(keel(['kill', '--control', dir]), /engine\.json: is not an engine registration/);
});

test('keel --help lists the control commands', () => {
  const r = keel(['--help']);
  assert.match(r.stdout, /keel kill --control DIR/);
  assert.match(r.stdout, /keel rearm --control DIR --reason TEXT/);
  assert.match(r.stdout, /keel status --control DIR/);
});
