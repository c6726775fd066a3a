import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keelAsync, ORCL, ROOT } from '../helpers/cli.ts';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';

// Page functions run in the browser; the test's own type library has no DOM.
declare const document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>; getElementById(id: string): { textContent: string | null } | null };

/**
 * Issue 6's "done when", as a new user does it: the README's paper demo (`keel venue --api alpaca` and
 * `keel paper --config examples/keel.yaml`, both unchanged, as processes), the dashboard in a browser, the
 * shipped Prometheus config scraping it with a real Prometheus, a test alert to a webhook, and the kill
 * switch pressed on the dashboard.
 */
const SECRET = 'demo-secret';
const TOKEN = 'readme-demo-token-8d2f61';

interface Proc { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, KEEL_DEBUG: '', ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 45_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves the port when nothing listens on it (the shipped files name fixed ports), else fails naming it. */
function assertFree(port: number): Promise<void> {
  return new Promise((res, rej) => {
    const s = createTcpServer();
    s.once('error', () => rej(new Error(`port ${port} is taken: the README demo needs it (stop whatever runs there)`)));
    s.listen(port, '127.0.0.1', () => s.close(() => res()));
  });
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createTcpServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); });
  });
}

async function json<T>(url: string): Promise<T | undefined> {
  try {
    const r = await fetch(url);
    return r.ok ? (await r.json()) as T : undefined;
  } catch {
    return undefined;
  }
}

test('the README paper demo: the dashboard moves, Prometheus scrapes it with the shipped config, a test alert reaches a webhook, the kill switch halts trading', { timeout: 180_000 }, async () => {
  await assertFree(7401);
  await assertFree(7070);
  const dir = mkdtempSync(join(tmpdir(), 'keel-readme-demo-'));
  const procs: Proc[] = [];
  const browser = await launchChromium();
  const hooks: Array<Record<string, unknown>> = [];
  const sink = createHttpServer((req, res) => { let b = ''; req.on('data', (d) => { b += d; }); req.on('end', () => { hooks.push(JSON.parse(b)); res.end('ok'); }); });
  try {
    // The README's two commands, with the example config copied unchanged (its journal lands in dir/run/).
    mkdirSync(join(dir, 'examples'));
    copyFileSync(resolve(ROOT, 'examples/keel.yaml'), join(dir, 'examples/keel.yaml'));
    const keys = { KEEL_ALPACA_KEYS: `PKDEMO:${SECRET}:100000`, APCA_API_KEY_ID: 'PKDEMO', APCA_API_SECRET_KEY: SECRET, KEEL_API_TOKEN: TOKEN };
    const venue = start(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'venue', '--api', 'alpaca', '--data', ORCL, '--port', '7401', '--speed', '50'], keys);
    procs.push(venue);
    await until('the venue', () => /127\.0\.0\.1:7401/.test(venue.out()));
    const paper = start(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'paper', '--config', join(dir, 'examples/keel.yaml')], keys);
    procs.push(paper);
    await until('the API', () => /API and dashboard on http:\/\/127\.0\.0\.1:7070/.test(paper.err()) || paper.child.exitCode !== null);
    assert.equal(paper.child.exitCode, null, paper.err());

    // 1. Prometheus with deploy/prometheus.yml as shipped (copied with its rules file, as it names it).
    const prom = join(dir, 'prometheus');
    mkdirSync(prom);
    for (const f of ['prometheus.yml', 'alert-rules.yml']) copyFileSync(resolve(ROOT, 'deploy', f), join(prom, f));
    const promPort = await freePort();
    const prometheus = start('/usr/bin/prometheus', [`--config.file=${join(prom, 'prometheus.yml')}`, `--storage.tsdb.path=${join(prom, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
    procs.push(prometheus);
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    type Targets = { data: { activeTargets: Array<{ labels: { job: string }; health: string; scrapeUrl: string }> } };
    const target = await until('Prometheus to scrape keel', async () => (await json<Targets>(`${api}/targets`))?.data.activeTargets.find((t) => t.labels.job === 'keel' && t.health === 'up'), 60_000);
    assert.equal(target.scrapeUrl, 'http://127.0.0.1:7070/metrics');
    type Query = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    const equity = await until('keel_account_equity in Prometheus', async () => (await json<Query>(`${api}/query?query=keel_account_equity`))?.data.result[0]);
    assert.equal(equity.metric.account, 'paper');
    assert.equal(equity.metric.env, 'paper', 'the label the shipped config adds');
    assert.ok(Math.abs(Number(equity.value[1]) - 100_000) < 20_000, `equity ${equity.value[1]}`);
    type Rules = { data: { groups: Array<{ rules: Array<{ name: string }> }> } };
    const rules = (await json<Rules>(`${api}/rules`))!.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    assert.ok(rules.includes('KeelVenueDisconnected') && rules.includes('KeelKillSwitchUsed') && rules.length >= 20, rules.join(', '));

    // 2. The dashboard, watching the session trade.
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto('http://127.0.0.1:7070/');
    await page.waitForSelector('#state.ACTIVE');
    await page.waitForFunction(() => document.querySelectorAll('#fills tr').length > 1, undefined, { timeout: 60_000 });
    const cards = await page.textContent('#cards');
    await page.waitForFunction((before) => document.getElementById('cards')!.textContent !== before, cards, { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'readme-demo-dashboard.png'), fullPage: true });

    // 3. A test alert to a webhook: the example config plus a webhook channel.
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/keel`;
    const alertConfig = join(dir, 'examples/alerting.yaml');
    writeFileSync(alertConfig, readFileSync(join(dir, 'examples/keel.yaml'), 'utf8').replace('channels: []', `channels: [{ type: webhook, name: hook, url: "${hookUrl}" }]`));
    const sent = await keelAsync(['alert', 'test', 'hook', '--config', alertConfig]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, 'test alert delivered to hook (webhook)\n');
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].source, 'keel');
    assert.equal(hooks[0].title, 'Keel test alert');
    assert.equal(hooks[0].state, 'firing');

    // 4. The kill switch, pressed on the dashboard with the token.
    await page.fill('#token', TOKEN);
    await page.dispatchEvent('#token', 'change');
    await page.click('#kill');
    await page.fill('#kill-reason', 'README drill');
    await page.fill('#kill-confirm', 'KILL');
    await page.check('#kill-flatten');
    await page.click('#kill-go');
    await page.waitForSelector('#state.HALTED');
    const status = (await json<{ tradingState: string; stateReason: string }>('http://127.0.0.1:7070/api/status'))!;
    assert.equal(status.tradingState, 'HALTED');
    assert.match(paper.err(), /trading state HALTED: .*README drill/);
    await page.screenshot({ path: join(ARTIFACTS, 'readme-demo-halted.png'), fullPage: true });
    const sentBefore = (paper.err().match(/order sma-cross-\d+: [^"]*, sent/g) ?? []).length;
    await new Promise((r) => setTimeout(r, 2_000)); // 40 more bars at 50 ms
    assert.equal((paper.err().match(/order sma-cross-\d+: [^"]*, sent/g) ?? []).length, sentBefore, 'the strategy sent nothing after the kill switch');
    const killed = await until('the kill switch in Prometheus', async () => Number((await json<Query>(`${api}/query?query=keel_kill_switch_activations_total`))?.data.result[0]?.value[1] ?? 0) >= 1 || undefined, 30_000);
    assert.ok(killed);
    assert.deepEqual(problems, []);

    paper.child.kill('SIGTERM');
    assert.equal(await paper.exit, 0, paper.err());
    assert.match(paper.out(), /trading state: HALTED/);
    for (const p of procs) for (const text of [p.out(), p.err()]) {
      assert.ok(!text.includes(SECRET) && !text.includes(TOKEN), 'no secret or token in any output');
    }
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => Promise.race([p.exit, new Promise((r) => setTimeout(r, 5_000))])));
    for (const p of procs) p.child.kill('SIGKILL');
    sink.close();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
