import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { AlertDispatcher, AlertEvaluator, channelFrom, thresholdRules, type Alert, type AlertSignals, type ChannelConfig } from '../../src/ops/index.ts';
import { keelAsync } from '../helpers/cli.ts';

interface Hit { path: string; body: any }

/** A local HTTP sink: records every POST; `fail` answers 500 to the next n requests. */
async function sink(): Promise<{ url: string; hits: Hit[]; fail: { n: number }; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const fail = { n: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (fail.n > 0) { fail.n--; res.statusCode = 500; res.end(); return; }
      hits.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, hits, fail, close: () => new Promise((r) => server.close(() => r())) };
}

const alert = (over: Partial<Alert> = {}): Alert => ({ key: 'rule:drawdown', severity: 'critical', title: 'drawdown: 12%', detail: 'drawdown 12.00% (threshold 10%)', ts: 1_700_000_000_000, state: 'firing', ...over });

test('each channel posts its service\'s payload to a real local sink; PagerDuty resolves with the same dedup key', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({
      routes: [
        { channel: channelFrom({ type: 'webhook', name: 'hook', url: `${s.url}/hook` }), minSeverity: 'info' },
        { channel: channelFrom({ type: 'slack', name: 'slack', url: `${s.url}/slack` }), minSeverity: 'warning' },
        { channel: channelFrom({ type: 'pagerduty', name: 'pd', routingKey: 'R0UTINGKEY', url: `${s.url}/pd` }), minSeverity: 'critical' },
        { channel: channelFrom({ type: 'telegram', name: 'tg', botToken: 'BOT123:SECRET', chatId: '42', apiUrl: s.url }), minSeverity: 'warning' },
      ],
    });
    await d.raise(alert());
    await d.raise(alert()); // deduplicated while firing
    await d.raise(alert({ key: 'rule:stale-data', severity: 'warning', title: 'stale-data: no market data for 130 s' }));
    await d.raise(alert({ state: 'resolved', ts: 1_700_000_060_000 }));
    const by = (p: string) => s.hits.filter((h) => h.path === p).map((h) => h.body);
    assert.equal(by('/hook').length, 3);
    assert.deepEqual(by('/hook')[0], { source: 'keel', ...alert() });
    assert.equal(by('/slack')[0].text, '[CRITICAL] drawdown: 12%');
    assert.equal(by('/slack')[0].blocks[0].text.text, '*[CRITICAL] drawdown: 12%*\ndrawdown 12.00% (threshold 10%)');
    const pd = by('/pd');
    assert.equal(pd.length, 2, 'the warning is below PagerDuty\'s route');
    assert.deepEqual(pd[0], {
      routing_key: 'R0UTINGKEY', event_action: 'trigger', dedup_key: 'rule:drawdown',
      payload: { summary: 'drawdown: 12%', severity: 'critical', source: 'keel', timestamp: '2023-11-14T22:13:20.000Z', custom_details: { detail: 'drawdown 12.00% (threshold 10%)' } },
    });
    assert.deepEqual(pd[1], { routing_key: 'R0UTINGKEY', event_action: 'resolve', dedup_key: 'rule:drawdown' });
    assert.deepEqual(by('/botBOT123:SECRET/sendMessage')[0], { chat_id: '42', text: '[CRITICAL] drawdown: 12%\ndrawdown 12.00% (threshold 10%)' });
  } finally {
    await s.close();
  }
});

test('a failing webhook is retried; the rate limit summarises what it held back; errors never show the URL', async () => {
  const s = await sink();
  try {
    const errors: string[] = [];
    s.fail.n = 2;
    const d = new AlertDispatcher({
      routes: [{ channel: channelFrom({ type: 'webhook', name: 'hook', url: `${s.url}/t0ken-in-url` }), minSeverity: 'info' }],
      perMinute: 2, retryBaseMs: 5, onError: (_c, _a, e) => errors.push(e.message),
    });
    await d.raise(alert({ key: 'a' }));
    assert.equal(s.hits.length, 1, 'delivered on the third attempt');
    await d.raise(alert({ key: 'b' }));
    await d.raise(alert({ key: 'c' }));
    await d.raise(alert({ key: 'd' }));
    assert.equal(s.hits.length, 2, 'two per minute');
    await d.resolve('a');
    assert.match(s.hits[2].body.detail, /…and 2 more alert\(s\) held back by this channel's rate limit/);
    s.fail.n = 10;
    await d.raise(alert({ key: 'e', severity: 'critical' }));
    assert.ok(errors.length === 0 || errors.every((m) => !m.includes('t0ken')), 'no URL in errors');
  } finally {
    await s.close();
  }
});

test('rules fire after their duration, not before, and resolve when the condition clears', () => {
  const ev = new AlertEvaluator(thresholdRules({ drawdownPct: 10, venueDisconnectedMs: 30_000 }));
  const at = (ts: number, o: Partial<AlertSignals>): Alert[] => ev.evaluate({ ts, drawdownPct: 0, venueConnected: true, rssMb: 100, ...o });
  assert.deepEqual(at(0, { drawdownPct: 9.99 }), []);
  assert.deepEqual(at(1000, { drawdownPct: 10 }).map((a) => a.key), ['rule:drawdown']);
  assert.deepEqual(at(2000, { drawdownPct: 11 }), [], 'fires once');
  assert.deepEqual(at(3000, { venueConnected: false }).map((a) => `${a.key} ${a.state}`), ['rule:drawdown resolved']);
  assert.deepEqual(at(32_999, { venueConnected: false }), [], '1 ms short of 30 s');
  assert.deepEqual(at(33_000, { venueConnected: false }).map((a) => a.key), ['rule:venue-disconnected']);
});

test('email goes out over SMTP to a real local server', async () => {
  const mails: string[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) { let m = ''; stream.on('data', (d) => { m += d; }); stream.on('end', () => { mails.push(m); done(); }); },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  try {
    const ch = channelFrom({ type: 'email', name: 'mail', host: '127.0.0.1', port, from: 'keel@example.test', to: ['ops@example.test'] });
    await ch.send(alert());
    assert.equal(mails.length, 1);
    assert.match(mails[0], /Subject: Keel \[CRITICAL\] drawdown: 12%/);
    assert.match(mails[0], /To: ops@example\.test/);
    assert.match(mails[0], /drawdown 12\.00% \(threshold 10%\)/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('keel alert test CHANNEL sends through the configured channel; an unknown channel, an unset variable or a URL fetch refuses is one line without the URL', { timeout: 30_000 }, async () => {
  const s = await sink();
  const dir = mkdtempSync(join(tmpdir(), 'keel-alert-'));
  try {
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, `strategy: { name: sma-cross }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: j.sqlite\nalerts:\n  channels:\n    - { type: slack, name: ops, url: "\${SLACK_URL}" }\n`);
    const ok = await keelAsync(['alert', 'test', 'ops', '--config', file], { env: { SLACK_URL: `${s.url}/hooks/s3cret` } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'test alert delivered to ops (slack)\n');
    assert.equal(s.hits[0].body.text, '[INFO] Keel test alert');
    const unknown = await keelAsync(['alert', 'test', 'pager', '--config', file], { env: { SLACK_URL: `${s.url}/x` } });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^keel: CHANNEL = "pager": is not a channel in .*keel\.yaml \(configured: ops\)\n$/);
    const unset = await keelAsync(['alert', 'test', 'ops', '--config', file], { env: { SLACK_URL: '' } });
    assert.match(unset.stderr, /^keel: .*keel\.yaml: alerts\.channels\[0\]\.url: uses \$\{SLACK_URL\}, which is not set in the environment\n$/);
    // A URL fetch refuses (a password in it): the error line, which no log scrubber sees, does not quote it.
    const refused = await keelAsync(['alert', 'test', 'ops', '--config', file], { env: { SLACK_URL: `http://ops:pa55w0rd-s3cret@${s.url.slice(7)}/hooks/s3cret` } });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'keel: channel ops (slack): did not take the test alert: slack ops could not be reached: the URL is not one fetch accepts (malformed, or with a user name or password in it)\n');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a channel that cannot be reached says why without its URL: credentials in it, malformed, refused', { timeout: 30_000 }, async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const cases: [ChannelConfig, RegExp][] = [
    [{ type: 'webhook', name: 'hook', url: `http://user:pa55-T0KEN@127.0.0.1:${port}/hooks/T0KEN` }, /^webhook hook could not be reached: the URL is not one fetch accepts/],
    [{ type: 'slack', name: 'ops', url: 'http://[::1/services/T0KEN' }, /^slack ops could not be reached: the URL is not one fetch accepts/],
    [{ type: 'webhook', name: 'hook', url: `http://127.0.0.1:${port}/hooks/T0KEN` }, /^webhook hook could not be reached: ECONNREFUSED$/],
    [{ type: 'telegram', name: 'tg', botToken: 'T0KEN:bot', chatId: '1', apiUrl: `http://127.0.0.1:${port}` }, /^telegram tg could not be reached: ECONNREFUSED$/],
  ];
  for (const [config, expected] of cases) {
    const err = await channelFrom(config).send(alert()).then(() => undefined, (e: Error) => e);
    assert.ok(err instanceof Error, `${config.type} ${config.name} failed`);
    assert.match(err.message, expected);
    assert.ok(!err.message.includes('T0KEN') && !String(err.stack).includes('T0KEN'), err.message);
  }
});
