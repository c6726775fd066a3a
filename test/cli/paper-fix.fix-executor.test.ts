import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, spawnKeel } from '../helpers/cli.ts';
import { EXECUTOR_BIN, freePort } from '../helpers/fix-executor.ts';
import { until } from '../helpers/wait.ts';
import { openSqliteJournal } from '../../src/store/index.ts';

/**
 * The README's "Paper trading over FIX" as written (its commands from the README), against QuickFIX's executor,
 * and crash/restart runs like the Alpaca ones: killed right after an order left, or right after its fill
 * arrived, the restarted engine books the fill once and the executor saw the order once.
 */

const PASSWORD = 'fix-readme-pass-9d2e';

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Paper trading over FIX');
  assert.ok(start >= 0, 'README has the section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** A folder laid out like the repository (examples/, run/, ../shared) with the executor on a free port. */
async function setUp(): Promise<{ dir: string; config: string; port: number; executorLog: () => string; kill: () => Promise<void>; restart: () => Promise<void>; stop: () => Promise<void> }> {
  if (!existsSync(EXECUTOR_BIN)) throw new Error(`QuickFIX executor not built: ${EXECUTOR_BIN} is missing. Run scripts/build-fix-executor.sh`);
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-fix-'));
  mkdirSync(join(dir, 'examples'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  const port = await freePort();
  const cfg = readFileSync(join(ROOT, 'examples/fix-executor.cfg'), 'utf8').replace('SocketAcceptPort=9878', `SocketAcceptPort=${port}`).replace('run/fix-executor-store', join(dir, 'run/executor-store'));
  writeFileSync(join(dir, 'examples/fix-executor.cfg'), cfg);
  const yaml = readFileSync(join(ROOT, 'examples/keel-fix.yaml'), 'utf8')
    .replace('port: 9878', `port: ${port}`)
    .replace('./strategies/limit-cross.ts', resolve(ROOT, 'examples/strategies/limit-cross.ts'))
    .replace('../../shared/data/daily/ORCL-1995-2014.csv', resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv'));
  const config = join(dir, 'examples/keel-fix.yaml');
  writeFileSync(config, yaml);
  let log = '';
  let child: ReturnType<typeof spawn>;
  let exited: Promise<void>;
  const launch = async () => {
    const before = log.length;
    child = spawn(EXECUTOR_BIN, [join(dir, 'examples/fix-executor.cfg')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => { log += d; });
    child.stderr!.on('data', (d) => { log += d; });
    exited = new Promise<void>((r) => child.on('exit', () => r()));
    await until('the executor', () => log.slice(before).includes('Type Ctrl-C to quit'), 10_000);
  };
  await launch();
  return {
    dir, config, port, executorLog: () => log,
    kill: async () => { child.kill('SIGKILL'); await exited; },
    restart: launch,
    stop: async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; } rmSync(dir, { recursive: true, force: true }); },
  };
}

/** NewOrderSingles the executor received (its screen log), first sends only (resends carry PossDupFlag 43=Y). */
function ordersAtExecutor(log: string): string[] {
  return [...log.matchAll(/incoming>\n\s+\((8=FIX[^)]*)\)/g)].map((m) => m[1]).filter((m) => /\x0135=D\x01/.test(m) && !/\x0143=Y\x01/.test(m)).map((m) => /\x0111=([^\x01]+)/.exec(m)![1]);
}

test('README "Paper trading over FIX": the commands as written trade end to end against QuickFIX\'s executor', { timeout: 120_000 }, async () => {
  const lines = [...section().matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['scripts/build-fix-executor.sh', '.fix-executor/executor', 'npx', 'npx'], lines.join('\n'));
  assert.equal(lines[1], '.fix-executor/executor examples/fix-executor.cfg &');
  assert.equal(lines[2], 'npx keel paper --config examples/keel-fix.yaml');
  assert.equal(lines[3], 'npx keel paper --config examples/keel-fix.yaml');
  const s = await setUp();
  try {
    for (const run of [1, 2]) {
      const paper = spawnKeel(['paper', '--config', s.config], { KEEL_FIX_PASSWORD: PASSWORD }, { cwd: s.dir });
      const code = await paper.exit;
      const text = paper.out() + paper.err();
      assert.equal(code, 0, text.slice(-3000));
      assert.match(paper.err(), /paper trading on fix FIX\.4\.2 KEEL->EXECUTOR at 127\.0\.0\.1:\d+/);
      assert.match(paper.err(), /order limit-cross-\d+: buy 100 ORCL limit, sent/);
      assert.match(paper.err(), /order limit-cross-\d+: filled, buy 100 ORCL at \d+\.\d\d/);
      assert.match(paper.out(), /end of session[\s\S]*verdict: in agreement/);
      assert.ok(!text.includes(PASSWORD), 'the FIX password is never printed');
      if (run === 2) assert.match(paper.out(), /restarted/, 'the second run resumes the journal');
    }
    const session = JSON.parse(readFileSync(join(s.dir, 'run/fix-session.json'), 'utf8')) as { nextOut: number };
    assert.ok(session.nextOut > 10, 'sequence numbers carried over both runs');
    assert.ok(!readFileSync(join(s.dir, 'run/fix-session.json'), 'utf8').includes(PASSWORD));
    assert.ok(!/MsgSeqNum too low/.test(s.executorLog()), 'the executor accepted the resumed numbers');
    const ids = ordersAtExecutor(s.executorLog());
    assert.equal(new Set(ids).size, ids.length, 'no order reached the executor twice');
  } finally {
    await s.stop();
  }
});

for (const point of ['request-sent', 'report-received']) {
  test(`killed at ${point}: the restarted engine books the executor's fill once, and the order reached the executor once`, { timeout: 120_000 }, async () => {
    const s = await setUp();
    try {
      const crashed = spawnKeel(['paper', '--config', s.config], { KEEL_CRASH_AT: `${point}:1` }, { cwd: s.dir });
      assert.equal(await crashed.exit, null, `killed by SIGKILL: ${crashed.err().slice(-1500)}`);
      assert.match(crashed.err(), /limit-cross-1: buy 100 ORCL limit, sent/);
      const again = spawnKeel(['paper', '--config', s.config], {}, { cwd: s.dir });
      assert.equal(await again.exit, 0, again.err().slice(-3000));
      const out = again.out() + again.err();
      assert.match(out, /verdict: in agreement/);
      assert.match(out, /gap: expected \d+, received \d+; ResendRequest/, 'what the executor sent while the engine was dead came by FIX resend');
      const j = await openSqliteJournal({ path: join(s.dir, 'run/fix-journal.sqlite'), readOnly: true });
      try {
        const fills = (await j.read({ types: ['order.filled'] })).filter((e) => JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes('"limit-cross-1"'));
        assert.equal(fills.length, 1, 'one fill of limit-cross-1 in the journal');
      } finally {
        await j.close();
      }
      const ids = ordersAtExecutor(s.executorLog());
      assert.equal(ids.filter((id) => id === 'limit-cross-1').length, 1, 'limit-cross-1 reached the executor once');
      assert.equal(new Set(ids).size, ids.length, 'no order reached the executor twice');
    } finally {
      await s.stop();
    }
  });
}


test('the executor dies mid-run and comes back (its FileStore kept): the engine logs on again, resumes the numbers, trades on, nothing lost or doubled', { timeout: 120_000 }, async () => {
  const s = await setUp();
  try {
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('barsPerSecond: 50', 'barsPerSecond: 25'));
    const paper = spawnKeel(['paper', '--config', s.config], {}, { cwd: s.dir });
    await until('a first fill', () => /: filled, /.test(paper.err()), 30_000);
    await s.kill();
    await until('the engine to see the session down', () => /FIX session FIX\.4\.2:KEEL->EXECUTOR down/.test(paper.err()), 10_000);
    await s.restart();
    await until('logged on again', () => (paper.err().match(/FIX session FIX\.4\.2:KEEL->EXECUTOR logged on\b(?! \()/g) ?? []).length >= 2, 30_000);
    const fillsBefore = (paper.err().match(/: filled, /g) ?? []).length;
    assert.equal(await paper.exit, 0, paper.err().slice(-3000));
    assert.ok((paper.err().match(/: filled, /g) ?? []).length > fillsBefore, 'it traded on after the reconnect');
    assert.match(paper.out(), /end of session[\s\S]*verdict: in agreement/);
    assert.ok(!/MsgSeqNum too low/.test(s.executorLog()), 'the executor accepted the resumed numbers');
    const ids = ordersAtExecutor(s.executorLog());
    assert.equal(new Set(ids).size, ids.length, 'no order reached the executor twice');
  } finally {
    await s.stop();
  }
});
