import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EngineHandle, FillView, OrderView, PnlView, PositionView } from '../../src/runtime/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';
import { until } from '../helpers/wait.ts';

const TOKEN = 'serve-token-3f9a71c2';


test('keel serve: the dashboard and API over the journal a running paper engine writes, matching the engine, following it, refusing actions', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-serve-'));
  const server = await startAlpacaVenue({ untilBar: 120 });
  const file = join(dir, 'journal.sqlite');
  const journal = await openSqliteJournal({ path: file });
  let handle: EngineHandle | undefined;
  const session = await startPaperSession(server, journal, {}, { onHandle: (h) => { handle = h; } });
  const serve = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'serve', '--journal', file, '--port', '0'], { cwd: ROOT, env: { ...process.env, KEEL_API_TOKEN: TOKEN } });
  let out = '';
  let err = '';
  serve.stdout.on('data', (d) => { out += d; });
  serve.stderr.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((r) => serve.on('exit', (c) => r(c)));
  try {
    await stepBars(server, session.venue, 40);
    await until('the URL', () => /^http:\/\/127\.0\.0\.1:\d+\n/.test(out) || (err !== '' && !err.includes('listening')) && (() => { throw new Error(err); })());
    const url = out.split('\n')[0];
    assert.match(out, /serving .*journal\.sqlite \(account paper, \d+ events\), read-only/);
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`)).json()) as T;

    // It follows the journal: once the engine's events are durable, the served views equal the engine's own.
    await until('the served fills to catch up', async () => (await get<FillView[]>('/api/fills?limit=1000')).length === handle!.fills(1000).length && handle!.fills(1000).length >= 2);
    const fillKey = (f: FillView) => `${f.tradeId} ${f.clientOrderId} ${f.side} ${f.quantity}@${f.price} fee ${f.fee} ${f.ts}`;
    assert.deepEqual((await get<FillView[]>('/api/fills?limit=1000')).map(fillKey), handle!.fills(1000).map(fillKey));
    const orderKey = (o: OrderView) => `${o.clientOrderId} ${o.side} ${o.type} ${o.quantity} filled ${o.filledQuantity} ${o.status}`;
    assert.deepEqual((await get<OrderView[]>('/api/orders?limit=1000')).map(orderKey).sort(), handle!.orders({ limit: 1000 }).map(orderKey).sort());
    const posKey = (p: PositionView) => `${p.instrument} ${p.quantity}`;
    assert.deepEqual((await get<PositionView[]>('/api/positions')).map(posKey), handle!.positions().map(posKey));
    const pnl = await get<PnlView>('/api/pnl');
    assert.equal(pnl.cash, handle!.pnl().cash, 'cash to the cent, from the journaled balances');
    assert.equal(pnl.realized, handle!.pnl().realized);

    // More trading: the served view follows.
    await stepBars(server, session.venue, 40);
    await until('new fills to be served', async () => (await get<FillView[]>('/api/fills?limit=1000')).length === handle!.fills(1000).length);
    assert.equal((await get<PnlView>('/api/pnl')).cash, handle!.pnl().cash);

    // Actions are refused with the reason, and the engine is untouched.
    const kill = await fetch(`${url}/api/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ flatten: true, reason: 'drill' }) });
    assert.equal(kill.status, 409);
    assert.match(((await kill.json()) as { message: string }).message, /^read-only: keel serve shows the journal/);
    assert.equal(handle!.status().tradingState, 'ACTIVE');
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);

    serve.kill('SIGTERM');
    assert.equal(await exit, 0, err);
    assert.ok(!out.includes(TOKEN) && !err.includes(TOKEN), 'the token is never printed');
  } finally {
    serve.kill('SIGKILL');
    await session.stop();
    await journal.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel serve: a missing journal or a bad port is one line', async () => {
  const { keelAsync } = await import('../helpers/cli.ts');
  const missing = await keelAsync(['serve', '--journal', '/nonexistent/j.sqlite']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'keel: --journal = "/nonexistent/j.sqlite": does not exist\n');
  const port = await keelAsync(['serve', '--journal', 'x.sqlite', '--port', '70000']);
  assert.match(port.stderr, /^keel: --port = "70000": must be at most 65535\n$/);
});
