import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { Secret } from '../../src/model/index.ts';
import { initVault, setSecret, updateVault } from '../../src/security/index.ts';
import { ORCL, ROOT, spawnKeel, type KeelProcess } from '../helpers/cli.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { FAST_KDF, tempFolder } from '../security/vault-helpers.ts';
import { until } from '../helpers/wait.ts';

/**
 * The issue's leak test: a full paper run whose Alpaca keys and alert webhook URL come from the vault, as
 * processes (keel venue --api alpaca, keel paper --config), then every byte the run left behind is searched
 * for each secret: the journal database files, everything else in the run folder, both processes' stdout and
 * stderr, every API response and stream message, the alert the webhook received, `keel state` over the
 * journal; then the same after kill -9 (the journal's -wal file as the killed process left it) and for runs
 * that fail at start-up (the venue refuses the keys; the venue URL is wrong) or crash (a strategy that
 * throws), all with KEEL_DEBUG=1.
 */

const PASSPHRASE = 'no-leak test passphrase, long';
const KEY_ID = 'PKVAULT7731QZ';
const SECRET = 'vault-alpaca-secret-5b77e1';
const HOOK_TOKEN = 'T0KEN-vault-hook-8d21c4';
/** The operator token the API checks actions against (from the environment, as docs/api.md says). */
const API_TOKEN = 'api-token-no-leak-3f9a0c2e';

type Proc = KeelProcess;

/** Nothing may come from the environment: the keys reach the engine only through the vault. */
const UNSET = ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'KEEL_API_TOKEN', 'KEEL_VAULT', 'KEEL_VAULT_PASSPHRASE', 'KEEL_VAULT_PASSPHRASE_FILE', 'KEEL_CRASH_AT'];
const run = (args: string[], env: Record<string, string>, cwd: string): Proc => spawnKeel(args, env, { cwd, unset: UNSET });


/** Every file under `dir`, recursively, as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

/** Fails naming where a secret was found; searches UTF-8/latin1 text, UTF-16 and base64 spellings. */
function assertClean(where: string, data: string | Buffer, secrets: readonly string[]): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (const s of secrets) {
    for (const spelling of [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le'), Buffer.from(Buffer.from(s).toString('base64').slice(0, -4))]) {
      assert.equal(bytes.indexOf(spelling), -1, `${s} found in ${where}`);
    }
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
}

test('no secret from the vault appears in anything a paper run writes or serves, in its crash output, or in its error lines', { timeout: 240_000 }, async () => {
  const t = tempFolder('keel-no-leak-');
  const hooks: { url: string; body: string }[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { hooks.push({ url: req.url!, body }); res.end('ok'); });
  });
  const hookPort = await listen(sink);
  const hookUrl = `http://127.0.0.1:${hookPort}/hooks/${HOOK_TOKEN}`;
  const SECRETS = [KEY_ID, SECRET, hookUrl, HOOK_TOKEN, PASSPHRASE, API_TOKEN];
  const vault = t.path('keel.vault');
  await initVault(vault, new Secret(PASSPHRASE), { kdf: FAST_KDF });
  await updateVault(vault, new Secret(PASSPHRASE), (c) => [['ALPACA_KEY_ID', KEY_ID], ['ALPACA_SECRET', SECRET], ['ALERT_WEBHOOK', hookUrl]]
    .reduce((acc, [n, v]) => setSecret(acc, n, new Secret(v), new Date()), c));

  const venue = run(['venue', '--api', 'alpaca', '--data', ORCL, '--speed', '20', '--port', '0', '--until-bar', '2000'], { KEEL_ALPACA_KEYS: `${KEY_ID}:${SECRET}:100000` }, ROOT);
  const outputs: [string, () => string][] = [];
  try {
    await until('the venue URL', () => /^http:\/\/127\.0\.0\.1:\d+/.test(venue.out()), 60_000);
    const url = venue.out().trim().split('\n')[0];
    const host = url.replace('http://', '');
    const config = (journal: string) => readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8')
      .replaceAll('127.0.0.1:7401', host)
      .replace('  paper: true\n', '  paper: true\n  keyId: secret:ALPACA_KEY_ID\n  secret: secret:ALPACA_SECRET\n')
      .replace(/^journal: .*$/m, `journal: ${journal}\nvault: keel.vault`)
      .replace(/port: 7070/, 'port: 0')
      .replace(/channels: \[\].*$/m, 'channels: [{ type: webhook, name: hook, url: "secret:ALERT_WEBHOOK", minSeverity: info }]')
      .replace(/rules: \{.*\}/, 'rules: { drawdownPct: 10, rssMb: 1 }'); // rssMb: 1 fires at once, so the webhook is used
    writeFileSync(t.path('keel.yaml'), config('run/journal.sqlite'));
    mkdirSync(t.path('run'));
    const paper = run(['paper', '--config', t.path('keel.yaml')], { KEEL_VAULT_PASSPHRASE: PASSPHRASE, KEEL_API_TOKEN: API_TOKEN }, t.dir);
    outputs.push(['paper stdout', paper.out], ['paper stderr', paper.err]);
    await until('two fills', () => (paper.err().match(/: filled, /g) ?? []).length >= 2, 60_000);
    await until('the alert at the webhook', () => hooks.length >= 1, 60_000);
    const api = /API and dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(paper.err())?.[1];
    assert.ok(api, paper.err());

    // Every read route, the dashboard page, the OpenAPI document, the metrics, and the stream.
    const served: [string, string][] = [];
    for (const route of ['/api/status', '/api/orders', '/api/fills', '/api/positions', '/api/pnl', '/api/equity', '/api/risk', '/api/alerts', '/healthz', '/readyz', '/metrics', '/openapi.json', '/', '/api/stream', '/api/nope']) {
      const r = await fetch(`${api}${route}`);
      served.push([route, `${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`]);
    }
    // Operator actions: with the token (done), with none or a wrong one (refused), on an order that does not
    // exist (an error body). Every answer is searched.
    const action = async (route: string, token: string | undefined, body?: string) => {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const r = await fetch(`${api}${route}`, { method: 'POST', headers, body });
      const text = await r.text();
      served.push([`POST ${route} (${token === undefined ? 'no token' : token === API_TOKEN ? 'token' : 'wrong token'})`, `${r.status} ${JSON.stringify([...r.headers])} ${text}`]);
      return { status: r.status, text };
    };
    assert.equal((await action('/api/kill', undefined, '{"reason":"test"}')).status, 401);
    assert.equal((await action('/api/orders/cancel-all', 'wrong-token-0123456789')).status, 401);
    const paused = await action('/api/strategies/sma-cross/pause', API_TOKEN);
    assert.equal(paused.status, 200, paused.text);
    const resumed = await action('/api/strategies/sma-cross/resume', API_TOKEN);
    assert.equal(resumed.status, 200, resumed.text);
    assert.ok((await action('/api/orders/no-such-order/cancel', API_TOKEN)).status >= 400);
    const stream: string[] = [];
    const ws = new WebSocket(`${api.replace('http', 'ws')}/api/stream`);
    ws.on('message', (m) => stream.push(String(m)));
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    await until('stream messages', () => stream.length >= 3, 20_000);
    ws.close();
    const statusBody = served.find(([r]) => r === '/api/status')![1];
    assert.match(statusBody, /^200 /);
    assert.ok(served.find(([r]) => r === '/api/fills')![1].includes('ORCL'), 'the API served the run');

    paper.child.kill('SIGTERM');
    assert.equal(await paper.exit, 0, paper.err());
    assert.match(paper.out(), /verdict: in agreement/);
    assert.match(paper.err(), /order sma-cross-1: filled, buy 100 ORCL/);
    // The webhook got the alert: the URL from the vault was used, and is in no body it received.
    assert.ok(hooks.every((h) => h.url === `/hooks/${HOOK_TOKEN}`));
    assert.ok(hooks.some((h) => JSON.parse(h.body).source === 'keel'));

    const state = await keelWithInput(['state', '--journal', t.path('run/journal.sqlite')]);
    assert.equal(state.code, 0, state.stderr);
    assert.match(state.stdout, /order\.filled sma-cross-/);

    // kill -9 mid-run on the same journal: what it printed before dying.
    const crashed = run(['paper', '--config', t.path('keel.yaml')], { KEEL_VAULT_PASSPHRASE: PASSPHRASE }, t.dir);
    await until('the restarted run trading', () => /paper trading on alpaca/.test(crashed.err()), 60_000);
    // Killed once it has journaled something new, so the write-ahead log holds records no checkpoint moved yet.
    const walPath = t.path('run/journal.sqlite-wal');
    await until('the restarted run journaling', () => /: (sent|filled, )/.test(crashed.err()) && existsSync(walPath) && statSync(walPath).size > 0, 60_000);
    crashed.child.kill('SIGKILL');
    await crashed.exit;
    outputs.push(['kill -9 stdout', crashed.out], ['kill -9 stderr', crashed.err]);
    // What kill -9 left: the database and its write-ahead log, not yet checkpointed.
    const leftByKill = filesUnder(t.path('run'));
    const wal = leftByKill.find((f) => f.path.endsWith('journal.sqlite-wal'));
    assert.ok(wal !== undefined && wal.bytes.length > 0, `kill -9 left a -wal file: ${leftByKill.map((f) => `${f.path} ${f.bytes.length}`).join(', ')}`);
    for (const f of leftByKill) assertClean(`${f.path} (after kill -9)`, f.bytes, SECRETS);

    // The venue refuses a wrong secret (a vault holding a stale key): the error line, with debug logging on.
    const stale = t.path('stale.vault');
    const staleSecret = 'stale-alpaca-secret-0e0e0e';
    await initVault(stale, new Secret(PASSPHRASE), { kdf: FAST_KDF });
    await updateVault(stale, new Secret(PASSPHRASE), (c) => [['ALPACA_KEY_ID', KEY_ID], ['ALPACA_SECRET', staleSecret], ['ALERT_WEBHOOK', hookUrl]]
      .reduce((acc, [n, v]) => setSecret(acc, n, new Secret(v), new Date()), c));
    writeFileSync(t.path('stale.yaml'), config('run/stale-journal.sqlite'));
    const refusedRun = run(['paper', '--config', t.path('stale.yaml'), '--vault', stale], { KEEL_VAULT_PASSPHRASE: PASSPHRASE, KEEL_API_TOKEN: API_TOKEN, KEEL_DEBUG: '1' }, t.dir);
    const code = await refusedRun.exit;
    assert.notEqual(code, 0);
    assert.match(refusedRun.err().trim().split('\n').at(-1)!, /^keel: venue = ".*": cannot be reached: alpaca GET \/v2\/clock → 401: request is not authorized$/);
    outputs.push(['refused stdout', refusedRun.out], ['refused stderr', refusedRun.err]);
    assertClean('the refused run', refusedRun.out() + refusedRun.err(), [staleSecret]);

    // A wrong venue URL (nothing listens there): the start-up error line, with debug logging on.
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    writeFileSync(t.path('wrong-url.yaml'), config('run/wrong-url-journal.sqlite').replaceAll(host, `127.0.0.1:${closedPort}`));
    const wrongUrl = run(['paper', '--config', t.path('wrong-url.yaml')], { KEEL_VAULT_PASSPHRASE: PASSPHRASE, KEEL_API_TOKEN: API_TOKEN, KEEL_DEBUG: '1' }, t.dir);
    assert.notEqual(await wrongUrl.exit, 0);
    assert.match(wrongUrl.err().trim().split('\n').at(-1)!, new RegExp(`^keel: venue = "http://127\\.0\\.0\\.1:${closedPort}": cannot be reached: alpaca GET /v2/clock → not-sent: ECONNREFUSED$`));
    outputs.push(['wrong-url stdout', wrongUrl.out], ['wrong-url stderr', wrongUrl.err]);

    // A strategy that throws (a bug, not a user error): the crash report, with the stack (KEEL_DEBUG=1).
    writeFileSync(t.path('thrower.ts'), `import { Strategy } from ${JSON.stringify(resolve(ROOT, 'src/index.ts'))};
export default class Thrower extends Strategy<Record<string, never>> {
  static override params = {};
  private bars = 0;
  // Its message quotes a credential from the environment, as careless code does: the crash output must not.
  override onBar(): void { if (++this.bars === 3) throw new Error(\`a strategy bug, on purpose (token \${process.env.KEEL_API_TOKEN})\`); }
}
`);
    writeFileSync(t.path('thrower.yaml'), config('run/thrower-journal.sqlite').replace(/^ {2}name: sma-cross$/m, '  name: ./thrower.ts').replace(/^ {2}params: .*$/m, '  params: {}'));
    const thrown = run(['paper', '--config', t.path('thrower.yaml')], { KEEL_VAULT_PASSPHRASE: PASSPHRASE, KEEL_API_TOKEN: API_TOKEN, KEEL_DEBUG: '1' }, t.dir);
    // Whatever the engine does with it (stop, or go on without the strategy), the error is reported.
    const ended = await Promise.race([thrown.exit.then(() => true), until('the error reported', () => /a strategy bug, on purpose/.test(thrown.err()), 60_000).then(() => false)]);
    if (!ended) { thrown.child.kill('SIGTERM'); await thrown.exit; }
    assert.match(thrown.err(), /a strategy bug, on purpose/);
    outputs.push(['thrown stdout', thrown.out], ['thrown stderr', thrown.err]);

    // Now search everything.
    for (const f of filesUnder(t.dir)) {
      if (f.path.endsWith('.vault') || f.path.endsWith('.yaml') || f.path.endsWith('thrower.ts')) continue; // the vaults are encrypted (checked elsewhere); the configs hold only names
      assertClean(f.path, f.bytes, SECRETS);
    }
    assert.ok(filesUnder(t.path('run')).some((f) => f.path.endsWith('journal.sqlite') && f.bytes.length > 4096), 'the journal was written');
    for (const [where, text] of outputs) assertClean(where, text(), SECRETS);
    for (const [route, body] of served) assertClean(`GET ${route}`, body, SECRETS);
    for (const m of stream) assertClean('the stream', m, SECRETS);
    for (const h of hooks) assertClean('a webhook body', h.body, SECRETS);
    assertClean('keel state', state.stdout + state.stderr, SECRETS);
    for (const f of [t.path('keel.yaml'), t.path('stale.yaml'), t.path('wrong-url.yaml'), t.path('thrower.yaml')]) assertClean(f, readFileSync(f), SECRETS);
    // The venue is the test's stand-in broker: it knows the secret, and must not print it either.
    assertClean('the venue', venue.out() + venue.err(), [SECRET, staleSecret]);
  } finally {
    venue.child.kill('SIGTERM');
    await venue.exit;
    sink.close();
    t.remove();
  }
});
