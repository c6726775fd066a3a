import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keelAsync, ORCL, ROOT, spawnKeel, type KeelProcess } from '../helpers/cli.ts';
import { fakeChronyc } from '../helpers/fake-chronyc.ts';
import { until } from '../helpers/wait.ts';

/**
 * The README's "Post-trade analysis and compliance records" as a user runs it: its own command lines, in a
 * folder laid out like the repository, on free ports instead of 7402/7071 (tests run side by side), the data
 * file's absolute path, and a loopback webhook for ALERT_WEBHOOK_URL (the README's placeholder).
 */

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Post-trade analysis and compliance records');
  assert.ok(start >= 0, 'README has the section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

function shLines(block: string): string[] {
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('the README post-trade and compliance walkthrough: paper session with venue faults, analyze-live waterfall, records export, preflight', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-readme-lifecycle-'));
  const hooked: string[] = [];
  const hook = createHttpServer((req, res) => { let body = ''; req.on('data', (d) => { body += d; }); req.on('end', () => { hooked.push(body); res.end('ok'); }); }).listen(0, '127.0.0.1');
  await new Promise((r) => hook.once('listening', r));
  const jobs: KeelProcess[] = [];
  const clock = fakeChronyc('chronyc-tracking-synced.txt');
  try {
    const [venuePort, apiPort] = [await freePort(), await freePort()];
    const ports = (text: string) => text.replaceAll('7402', String(venuePort)).replaceAll('7071', String(apiPort));
    mkdirSync(join(dir, 'examples'));
    writeFileSync(join(dir, 'examples', 'keel-lifecycle.yaml'), ports(readFileSync(resolve(ROOT, 'examples/keel-lifecycle.yaml'), 'utf8')));
    const blocks = [...section().matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => shLines(ports(m[1])));
    assert.equal(blocks.length, 2);

    // Block 1: the exports (evaluated by bash, as typed), then the venue and the engine in the background.
    const env: NodeJS.ProcessEnv = {};
    for (const line of blocks[0].filter((l) => l.startsWith('export '))) {
      const r = spawnSync('bash', ['-c', `${line}\nenv -0`], { encoding: 'utf8' });
      for (const kv of r.stdout.split('\0')) {
        const [k, ...v] = kv.split('=');
        if (k !== '' && new RegExp(`(^|\\s)${k}=`).test(line)) env[k] = v.join('=');
      }
    }
    assert.match(env.KEEL_API_TOKEN ?? '', /^[0-9a-f]{32}$/);
    env.ALERT_WEBHOOK_URL = `http://127.0.0.1:${(hook.address() as { port: number }).port}/keel`;
    const keelArgs = (line: string) => {
      assert.match(line, /^npx keel /, line);
      return line.replace(/^npx keel /, '').replace(/ &$/, '').split(/\s+/).map((a) => (a === '../shared/data/daily/ORCL-1995-2014.csv' ? ORCL : a));
    };
    for (const line of blocks[0].filter((l) => !l.startsWith('export '))) {
      assert.ok(line.endsWith(' &'), line);
      jobs.push(spawnKeel(keelArgs(line), env, { cwd: dir }));
    }
    const [venue, paper] = jobs;
    await until('the venue replays every bar', () => /replay finished: all 300 bars replayed/.test(venue.err()), 90_000);
    await until('the engine trades', () => /API and dashboard on/.test(paper.err()) || paper.child.exitCode !== null).catch((e: Error) => { throw new Error(`${e.message}\n${paper.out()}\n${paper.err().slice(-2000)}\n${JSON.stringify(env)}`); });
    assert.match(paper.err(), /API and dashboard on/, paper.err().slice(-2000));

    // Block 2, line by line: the drill with curl, stopping the jobs, then the keel commands.
    for (const line of blocks[1]) {
      if (line.startsWith('curl ')) {
        const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', env: { ...process.env, ...env } });
        assert.match(r.stdout, /"ok":true/, r.stdout + r.stderr);
        await until('the kill in the audit trail', () => / kill by token from ip:127\.0\.0\.1: ok/.test(paper.err()));
        continue;
      }
      const job = /^kill %(\d)$/.exec(line);
      if (job) {
        const p = jobs[Number(job[1]) - 1];
        p.child.kill('SIGTERM');
        const code = await p.exit;
        if (p === paper) assert.equal(code, 0, paper.err().slice(-3000));
        continue;
      }
      const r = await keelAsync(keelArgs(line), { cwd: dir, env });
      const [cmd] = keelArgs(line);
      if (cmd === 'preflight') {
        readmePreflight(r);
      } else {
        assert.equal(r.code, 0, `${line}\n${r.stderr}`);
      }
      if (cmd === 'analyze-live') {
        analyzeLive(r.stdout);
        // The scheduled comparison: past the threshold, a warning with the waterfall to the config's channels, exit 1.
        const before = hooked.length;
        const scheduled = await keelAsync([...keelArgs(line), '--alert-gap-pct', '0'], { cwd: dir, env });
        const gapIsZero = /gap 0\.0000% of the starting cash: within 0%/.test(scheduled.stdout);
        assert.equal(scheduled.code, gapIsZero ? 0 : 1, scheduled.stdout + scheduled.stderr);
        if (!gapIsZero) {
          assert.match(scheduled.stdout, /past 0%: alert sent to 1 of 1 channel\(s\)/);
          assert.equal(hooked.length, before + 1);
          assert.match(hooked[hooked.length - 1], /paper PnL is .*% of starting cash off the backtest/);
        }
        // Another version of the strategy explains nothing: refused in one line.
        const other = join(dir, 'examples', 'other.yaml');
        writeFileSync(other, readFileSync(join(dir, 'examples', 'keel-lifecycle.yaml'), 'utf8').replace('fast: 3', 'fast: 4'));
        const refused = await keelAsync(['analyze-live', '--journal', 'run/lifecycle-journal.sqlite', '--backtest-config', other], { cwd: dir, env });
        assert.equal(refused.code, 2);
        assert.match(refused.stderr, /^keel: .*other\.yaml: strategy: is strategy version [0-9a-f]{12} .*, but the journal's orders came from [0-9a-f]{12}: a backtest of another version explains nothing/);
      }
      if (cmd === 'records') records();
    }

    // The same preflight passes once a backup is verified and the clock is in sync.
    const [backup] = readdirSync(join(dir, 'run', 'backups')).filter((n) => n.endsWith('.sqlite'));
    writeFileSync(join(dir, 'run', 'backups', `${backup}.verify.json`), JSON.stringify({ ok: true, verifiedAt: new Date().toISOString(), backup, fingerprint: 'c0ffee00112233445566' }));
    const pass = await keelAsync(keelArgs(blocks[1].find((l) => l.startsWith('npx keel preflight'))!), { cwd: dir, env: { ...env, ...clock.env } });
    assert.equal(pass.code, 0, pass.stdout);
    assert.equal((pass.stdout.match(/^PASS /gm) ?? []).length, 5, pass.stdout);
    assert.match(pass.stdout, new RegExp(`PASS  backups verified: ${backup.replaceAll('.', '\\.')} verified `));
    const csv = readFileSync(join(dir, 'run', 'records', 'orders.csv'), 'utf8');
    for (const text of [paper.out(), paper.err(), pass.stdout, csv, readFileSync(join(dir, 'run', 'analysis', 'post-trade.html'), 'utf8')]) {
      assert.ok(!text.includes('demo-secret') && !text.includes(env.KEEL_API_TOKEN!), 'neither the venue secret nor the API token is printed or recorded');
    }
  } finally {
    for (const p of jobs) if (p.child.exitCode === null) { p.child.kill('SIGKILL'); await p.exit; }
    hook.close();
    clock.remove();
    rmSync(dir, { recursive: true, force: true });
  }

  function analyzeLive(out: string): void {
    const report = JSON.parse(readFileSync(join(dir, 'run', 'analysis', 'post-trade.json'), 'utf8')) as {
      waterfall: Array<{ step: string; amount: string }>; summary: { matched: number; missedSignals: number }; trades: Array<{ session: { fills: number } | null }>;
    };
    const steps = Object.fromEntries(report.waterfall.map((w) => [w.step, Number(w.amount)]));
    assert.deepEqual(Object.keys(steps), ['backtest PnL', 'execution slippage', 'fees', 'missed trades', 'latency', 'paper PnL']);
    // Real effects of the venue's faults: 5 bps slippage against the account on every fill, and late fills.
    assert.ok(steps['execution slippage'] < 0, out);
    // Latency is the market moving while an order was late; it is there exactly when some fill came later than the backtest's.
    const late = (report as unknown as { trades: Array<{ kind: string; extraDelayMs: number | null }> }).trades.some((t) => t.kind === 'matched' && (t.extraDelayMs ?? 0) !== 0);
    assert.equal(steps.latency !== 0, late, out);
    assert.ok(report.summary.matched >= 5, out);
    assert.ok(report.trades.some((t) => (t.session?.fills ?? 0) > 1), `the venue split some fills: ${out}`);
    const cents = (x: number) => Math.round(x * 1e6);
    assert.equal(cents(steps['backtest PnL'] + steps['execution slippage'] + steps.fees + steps['missed trades'] + steps.latency), cents(steps['paper PnL']), 'the waterfall adds up');
    assert.match(out, /^ {2}execution slippage +-\d+\.\d+ USD$/m);
    const html = readFileSync(join(dir, 'run', 'analysis', 'post-trade.html'), 'utf8');
    assert.match(html, /<svg [^>]*aria-label="PnL waterfall"/);
  }

  function records(): void {
    const csv = readFileSync(join(dir, 'run', 'records', 'orders.csv'), 'utf8').trimEnd().split('\r\n');
    assert.equal(csv[0].split(',').slice(0, 3).join(','), 'record,seq,time_utc');
    const fills = csv.filter((l) => l.startsWith('order,') && l.includes(',filled,'));
    assert.ok(fills.length >= 5, csv.slice(0, 5).join('\n'));
    assert.match(fills[0], /^order,\d+,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z,paper,sma-cross,[0-9a-f]{12},[0-9a-f]{64},[0-9a-f]*(\+dirty)?,ORCL,sma-cross-\d+,[0-9a-f-]{36},filled,/);
    assert.match(fills[0], /,strategy:sma-cross,order-shape [a-z -]*buying-power[a-z -]*,/);
    assert.ok(csv.some((l) => l.startsWith('kill-switch,') && l.includes('preflight drill')), 'the kill-switch use is recorded');
  }

  function readmePreflight(r: { code: number; stdout: string }): void {
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^PASS  limits set: account\.maxOrderNotional, breakers\.drawdown$/m);
    assert.match(r.stdout, /^PASS  kill switch tested: last tested \d{4}-.* by token \(within 7 days\)$/m);
    assert.match(r.stdout, /^FAIL  backups verified: no backup verification \(\*\.verify\.json\) in .*backups$/m);
    assert.match(r.stdout, /^(PASS|FAIL)  clock in sync: /m);
    assert.match(r.stdout, /^PASS  alerts reachable: ops \(webhook\) 127\.0\.0\.1:\d+$/m);
    assert.match(r.stdout, /^preflight FAILED: [12] of 5 checks$/m);
  }
});
