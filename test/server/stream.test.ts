import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../src/runtime/index.ts';
import { StreamHub, type StreamSocket } from '../../src/server/stream-hub.ts';
import { startHarness } from './api-harness.ts';
import { FakeEngine } from './fake-engine.ts';
import { until } from '../helpers/wait.ts';

interface Client {
  readonly ws: WebSocket;
  readonly messages: Array<{ at: number; event: any }>;
  readonly closed: Promise<{ code: number }>;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/stream');
  const messages: Client['messages'] = [];
  ws.addEventListener('message', (m) => messages.push({ at: Date.now(), event: JSON.parse(String(m.data)) }));
  const closed = new Promise<{ code: number }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code })));
  await new Promise((resolve, reject) => { ws.addEventListener('open', resolve, { once: true }); ws.addEventListener('error', reject, { once: true }); });
  return { ws, messages, closed };
}


test('the stream carries every pushed engine event as JSON, and summaries at most every 500 ms', { timeout: 10_000 }, async () => {
  const h = await startHarness();
  try {
    const a = await connect(h.api.url);
    const b = await connect(h.api.url);
    // The server adds a client in the same tick as it writes the 101, so both are followed once they are open.
    assert.equal(h.engine.subscribers, 1);

    const events: StreamEvent[] = [
      { kind: 'order', ts: 1, type: 'order.filled', payload: { clientOrderId: 'sma-cross-5', fee: 1_520_000_000_000n } },
      { kind: 'risk', ts: 2, type: 'risk.kill-switch', payload: { by: 'api:127.0.0.1', flatten: true } },
      { kind: 'alert', ts: 3, alert: h.engine.alertsView[0] },
    ];
    for (const e of events) h.engine.push(e);
    await new Promise((r) => setTimeout(r, 1300));

    for (const c of [a, b]) {
      const pushed = c.messages.filter((m) => m.event.kind !== 'summary').map((m) => m.event);
      assert.deepEqual(pushed, [
        { kind: 'order', ts: 1, type: 'order.filled', payload: { clientOrderId: 'sma-cross-5', fee: '1520000000000' } },
        events[1],
        events[2],
      ], 'in order, bigints as decimal strings');
      const summaries = c.messages.filter((m) => m.event.kind === 'summary');
      assert.ok(summaries.length >= 2 && summaries.length <= 3, `${summaries.length} summaries in 1.3 s`);
      for (let i = 1; i < summaries.length; i++) assert.ok(summaries[i].at - summaries[i - 1].at >= 400, 'at most every 500 ms');
      assert.deepEqual(summaries[0].event, {
        kind: 'summary', ts: h.engine.statusView.lastEventTs, pnl: h.engine.pnlView, positions: h.engine.positionsView,
      });
    }
    assert.equal(h.engine.subscribers, 1, 'one engine subscription however many clients');

    b.ws.close();
    await b.closed;
    a.ws.close();
    await a.closed;
    await until('the hub let go of the engine', () => h.engine.subscribers === 0);
  } finally {
    await h.close();
  }
});

test('close() closes stream sockets first (1001, going away) and returns promptly', { timeout: 10_000 }, async () => {
  const h = await startHarness();
  const c = await connect(h.api.url);
  await until('subscribed', () => h.engine.subscribers === 1);
  const t0 = Date.now();
  await h.close();
  assert.equal((await c.closed).code, 1001);
  assert.ok(Date.now() - t0 < 1500, `closed in ${Date.now() - t0} ms`);
  assert.equal(h.engine.subscribers, 0);
  await h.close(); // twice is fine
});

/** A socket whose unsent bytes the test sets, to play a client that stopped reading. */
class FakeSocket implements StreamSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  terminated = false;
  private readonly handlers = new Map<string, Array<() => void>>();
  send(data: string): void { this.sent.push(data); this.bufferedAmount += data.length; }
  close(): void { this.readyState = 3; for (const f of this.handlers.get('close') ?? []) f(); }
  terminate(): void { this.terminated = true; this.close(); }
  on(event: 'close' | 'error', listener: () => void): void { this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]); }
}

test('a client that stops reading is dropped, not buffered without bound; the others keep receiving', async () => {
  const engine = new FakeEngine();
  const logs: string[] = [];
  const hub = new StreamHub(engine, { maxBufferedBytes: 1000, summaryEveryMs: 60_000, log: (l) => logs.push(l) });
  const slow = new FakeSocket();
  const fast = new FakeSocket();
  hub.add(slow, 'api:10.0.0.7');
  hub.add(fast, 'api:10.0.0.8');
  const big: StreamEvent = { kind: 'order', ts: 1, type: 'order.accepted', payload: { note: 'x'.repeat(400) } };
  for (let i = 0; i < 5; i++) {
    engine.push(big);
    fast.bufferedAmount = 0; // this one reads as fast as we write
  }
  assert.equal(slow.terminated, true);
  assert.equal(slow.sent.length, 3, 'sent until more than 1000 bytes were waiting, then cut off');
  assert.equal(fast.sent.length, 5);
  assert.equal(hub.size, 1);
  assert.match(logs[0], /^stream: dropped api:10\.0\.0\.7: \d+ bytes unsent/);
  await hub.close();
  assert.equal(engine.subscribers, 0);
  const late = new FakeSocket();
  hub.add(late, 'api:10.0.0.9');
  assert.equal(late.readyState, 3, 'a client arriving during shutdown is closed at once');
});
