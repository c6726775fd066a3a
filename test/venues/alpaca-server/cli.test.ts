import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseAlpacaVenueArgs } from '../../../src/venues/alpaca-server/index.ts';
import { ORCL, WsClient } from './helpers.ts';

const NODE = 'node_modules/.bin/node';
const CLI = 'src/venues/alpaca-server/cli.ts';
const SECRET = 'cli-secret-9d2e-never-print';

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(NODE, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => { if (out.includes('\n')) resolve(out.split('\n')[0]); });
    child.on('exit', () => reject(new Error(`exited: ${err}`)));
  });
  firstLine.catch(() => {}); // awaited only by the tests that expect a start
  return { child, firstLine, output: () => out + err, stderr: () => err };
}

test('CLI: prints its URL, serves, logs requests without the secret anywhere, stops on SIGTERM', async () => {
  const p = run(['--api', 'alpaca', '--data', ORCL, '--speed', 'max', '--port', '0', '--seed', '3', '--log', '--fault-latency-ms', '1'], { KEEL_ALPACA_KEYS: `PKCLI:${SECRET}:5000` });
  try {
    const url = await p.firstLine;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const good = { 'APCA-API-KEY-ID': 'PKCLI', 'APCA-API-SECRET-KEY': SECRET };
    const acct = await (await fetch(`${url}/v2/account`, { headers: good })).json() as { cash: string };
    assert.equal(acct.cash, '5000');
    const bad = await fetch(`${url}/v2/account?x=${SECRET}`, { headers: { 'APCA-API-KEY-ID': 'PKCLI', 'APCA-API-SECRET-KEY': `${SECRET}x` } });
    assert.equal(bad.status, 401);
    assert.doesNotMatch(await bad.text(), new RegExp(SECRET));
    const order = await fetch(`${url}/v2/orders`, {
      method: 'POST', headers: { ...good, 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'ORCL', qty: '1', side: 'buy', type: 'market', time_in_force: 'gtc', client_order_id: SECRET }),
    });
    assert.equal(order.status, 200);
    const ws = new WsClient(`${url.replace('http', 'ws')}/stream`);
    await ws.opened();
    ws.send({ action: 'auth', key: 'PKCLI', secret: 'wrong' });
    await ws.whenClosed();
    assert.doesNotMatch(JSON.stringify(ws.messages), new RegExp(SECRET));
  } finally {
    p.child.kill('SIGTERM');
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 0);
  }
  assert.match(p.stderr(), /GET \/v2\/account 401/);
  // The secret went out as a key, in a query and as a client order id: none of it may reach the logs.
  assert.ok(!p.output().includes(SECRET), p.output());
});

test('CLI: a bad option prints one line naming it and exits 2, no stack trace', async () => {
  for (const [args, needle] of [
    [['--data', ORCL, '--keys', 'PK:s', '--speed', 'fast'], '--speed = "fast"'],
    [['--data', ORCL], '--keys'],
    [['--data', ORCL, '--keys', `PK`], '--keys'],
    [['--data', ORCL, '--keys', 'PK:s', '--fault-reject', '2'], '--fault-reject = "2"'],
    [['--data', ORCL, '--keys', 'PK:s', '--bogus'], 'bogus'],
    [['--data', 'nowhere.csv', '--keys', 'PK:s'], 'nowhere.csv'],
  ] as const) {
    const p = run([...args]);
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 2, p.output());
    const lines = p.stderr().trim().split('\n');
    assert.equal(lines.length, 1, p.stderr());
    assert.ok(lines[0].includes(needle), `${lines[0]} should name ${needle}`);
    assert.doesNotMatch(lines[0], /\bat .*\.ts:\d+/);
  }
});

test('parseAlpacaVenueArgs: speeds, keys and faults', () => {
  const o = parseAlpacaVenueArgs(['--data', ORCL, '--keys', 'A:x:10,B:y', '--keys', 'C:z', '--speed', '10x', '--fault-rate-limit', '200/60000', '--fault-lost-ack', '0.1'], {});
  assert.equal(o.keys.length, 3);
  assert.equal(o.keys[0].initialCash, 10_000000000000n);
  assert.equal(o.barIntervalMs, 86_400_000 / 10);
  assert.deepEqual(o.faults, { rateLimit: { requests: 200, windowMs: 60000 }, lostAckProbability: 0.1 });
  assert.equal(parseAlpacaVenueArgs(['--data', ORCL, '--keys', 'A:x', '--speed', 'max'], {}).barIntervalMs, 0);
  assert.equal(parseAlpacaVenueArgs(['--data', ORCL, '--keys', 'A:x', '--speed', '25'], {}).barIntervalMs, 25);
});
