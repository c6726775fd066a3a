import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { AlertDispatcher, alertGroup, channelFrom, type Alert, type Route } from '../../src/ops/index.ts';

interface Hit { path: string; body: any }

/** A local HTTP sink standing in for the webhook, Slack, Telegram and PagerDuty: records every POST. */
async function sink(): Promise<{ url: string; hits: Hit[]; by(path: string): any[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { hits.push({ path: req.url ?? '', body: JSON.parse(body) }); res.end('{"ok":true}'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`, hits,
    by: (path) => hits.filter((h) => h.path === path).map((h) => h.body),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const T = 1_700_000_000_000;
const drawdown: Alert = { key: 'rule:drawdown', severity: 'critical', title: 'drawdown: 12%', detail: 'drawdown 12.00% (threshold 10%)', ts: T, state: 'firing' };
const stale: Alert = { key: 'rule:stale-data', severity: 'warning', title: 'stale-data: no market data for 130 s', detail: 'last market data 130 s ago\n(threshold 120 s)', ts: T + 1000, state: 'firing' };
const rejects: Alert = { key: 'rule:reject-rate', severity: 'info', title: 'reject-rate: 12%', detail: '6 of 50 orders rejected', ts: T + 2000, state: 'firing' };

const LINE = {
  drawdown: '• [CRITICAL] drawdown: 12% — drawdown 12.00% (threshold 10%)',
  stale: '• [WARNING] stale-data: no market data for 130 s — last market data 130 s ago',
  rejects: '• [INFO] reject-rate: 12% — 6 of 50 orders rejected',
};

const webhook = (url: string, minSeverity: Alert['severity'] = 'info'): Route => ({ channel: channelFrom({ type: 'webhook', name: 'hook', url: `${url}/hook` }), minSeverity });
const pagerduty = (url: string): Route => ({ channel: channelFrom({ type: 'pagerduty', name: 'pd', routingKey: 'R0UTINGKEY', url: `${url}/pd` }), minSeverity: 'info' });

test('three alerts inside the window reach each channel as one message listing them, after the window', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({
      groupWaitMs: 150,
      routes: [
        webhook(s.url),
        { channel: channelFrom({ type: 'slack', name: 'slack', url: `${s.url}/slack` }), minSeverity: 'warning' },
        { channel: channelFrom({ type: 'telegram', name: 'tg', botToken: 'BOT1:X', chatId: '42', apiUrl: s.url }), minSeverity: 'info' },
      ],
    });
    await d.raise(stale);
    await d.raise(drawdown);
    await d.raise(rejects);
    assert.equal(s.hits.length, 0, 'nothing goes out before the window closes');
    await waitFor('the grouped messages', () => s.hits.length >= 3);
    await sleep(300);
    const detail = [LINE.stale, LINE.drawdown, LINE.rejects].join('\n');
    assert.deepEqual(s.by('/hook'), [{
      source: 'keel', key: 'group:rule:drawdown,rule:reject-rate,rule:stale-data', severity: 'critical',
      title: '3 alerts: 3 firing', detail, ts: T + 2000, state: 'firing', alerts: [stale, drawdown, rejects],
    }]);
    // Routing comes before grouping: Slack hears warnings and up, so its group has two members.
    const slack = s.by('/slack');
    assert.equal(slack.length, 1);
    assert.equal(slack[0].text, '[CRITICAL] 2 alerts: 2 firing');
    assert.equal(slack[0].blocks[0].text.text, `*[CRITICAL] 2 alerts: 2 firing*\n${LINE.stale}\n${LINE.drawdown}`);
    assert.equal(slack[0].blocks[1].elements[0].text, 'keel · 2023-11-14T22:13:21.000Z · group:rule:drawdown,rule:stale-data');
    assert.deepEqual(s.by('/botBOT1:X/sendMessage'), [{ chat_id: '42', text: `[CRITICAL] 3 alerts: 3 firing\n${detail}` }]);
  } finally {
    await s.close();
  }
});

test('with groupWaitMs 0 every alert goes out at once, as it is', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 0, routes: [webhook(s.url)] });
    await d.raise(stale);
    assert.equal(s.hits.length, 1, 'sent before raise resolved');
    await d.raise(drawdown);
    await d.raise(rejects);
    assert.deepEqual(s.by('/hook'), [{ source: 'keel', ...stale }, { source: 'keel', ...drawdown }, { source: 'keel', ...rejects }]);
  } finally {
    await s.close();
  }
});

test('PagerDuty is never grouped: one trigger per alert at once, and the resolve keeps the dedup key', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 60_000, routes: [webhook(s.url), pagerduty(s.url)] });
    await d.raise(drawdown);
    await d.raise(stale);
    await d.raise(rejects);
    const pd = s.by('/pd');
    assert.deepEqual(pd.map((b) => `${b.event_action} ${b.dedup_key} ${b.payload.severity}`), [
      'trigger rule:drawdown critical', 'trigger rule:stale-data warning', 'trigger rule:reject-rate info',
    ]);
    assert.equal(pd[1].payload.summary, 'stale-data: no market data for 130 s');
    assert.equal(s.by('/hook').length, 0, 'the webhook is still collecting');
    await d.resolve('rule:drawdown', T + 5000);
    assert.deepEqual(s.by('/pd')[3], { routing_key: 'R0UTINGKEY', event_action: 'resolve', dedup_key: 'rule:drawdown' });
    await d.flush();
    // Drawdown fired and cleared inside the webhook's window: it is reported once, where it ended up.
    const [hook] = s.by('/hook');
    assert.equal(hook.title, '3 alerts: 2 firing, 1 resolved');
    assert.deepEqual(hook.alerts.map((a: Alert) => `${a.key} ${a.state}`), ['rule:stale-data firing', 'rule:reject-rate firing', 'rule:drawdown resolved']);
    assert.equal(s.by('/pd').length, 4, 'flush sends nothing more to PagerDuty');
  } finally {
    await s.close();
  }
});

test('one alert firing and another resolving in the same window: a firing group with both', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 60_000, routes: [webhook(s.url)] });
    await d.raise(drawdown);
    await d.flush();
    assert.deepEqual(s.by('/hook'), [{ source: 'keel', ...drawdown }], 'a window with one alert sends it as it is');
    await d.raise(stale);
    await d.raise({ ...drawdown, state: 'resolved', ts: T + 9000 });
    await d.flush();
    const resolved = { ...drawdown, state: 'resolved', ts: T + 9000 };
    assert.deepEqual(s.by('/hook')[1], {
      source: 'keel', key: 'group:rule:drawdown,rule:stale-data', severity: 'critical', title: '2 alerts: 1 firing, 1 resolved',
      detail: `${LINE.stale}\n• [RESOLVED] drawdown: 12% — drawdown 12.00% (threshold 10%)`, ts: T + 9000, state: 'firing',
      alerts: [stale, resolved],
    });
    assert.deepEqual(d.firingKeys, ['rule:stale-data']);
  } finally {
    await s.close();
  }
});

test('flush() sends a pending group at once; group timers do not keep the process alive', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 60_000, routes: [webhook(s.url)] });
    await d.raise(drawdown);
    await d.raise(stale);
    await sleep(50);
    assert.equal(s.hits.length, 0);
    await d.flush();
    assert.equal(s.hits.length, 1, 'delivered by the time flush resolved');
    assert.deepEqual(s.hits[0].body.alerts.map((a: Alert) => a.key), ['rule:drawdown', 'rule:stale-data']);
    await d.flush();
    assert.equal(s.hits.length, 1, 'nothing is sent twice');
  } finally {
    await s.close();
  }
  // A process whose only pending work is a 60 s group window exits on its own.
  const dispatcher = new URL('../../src/ops/alerts/dispatcher.ts', import.meta.url).href;
  const script = `import { AlertDispatcher } from '${dispatcher}';
    const d = new AlertDispatcher({ groupWaitMs: 60000, routes: [{ minSeverity: 'info', channel: { name: 'x', send: async () => {} } }] });
    await d.raise({ key: 'k', severity: 'critical', title: 't', detail: '', ts: 0, state: 'firing' });`;
  const started = Date.now();
  await new Promise<void>((resolve, reject) => execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (e) => (e ? reject(e) : resolve())));
  assert.ok(Date.now() - started < 15_000, 'exited without waiting for the window');
});

test('deduplication is per alert before grouping: the same key raised twice in a window appears once', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 60_000, routes: [webhook(s.url)] });
    await d.raise(drawdown);
    await d.raise({ ...drawdown, ts: T + 500, detail: 'drawdown 12.50% (threshold 10%)' });
    await d.raise(stale);
    await d.flush();
    const hooks = s.by('/hook');
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].title, '2 alerts: 2 firing');
    assert.deepEqual(hooks[0].alerts, [drawdown, stale], 'the first raise is kept, the duplicate dropped');
  } finally {
    await s.close();
  }
});

test('the rate limit counts a group as one message; over the limit a group\'s resolves still go out', async () => {
  const s = await sink();
  try {
    const d = new AlertDispatcher({ groupWaitMs: 60_000, perMinute: 2, now: () => T, routes: [webhook(s.url)] });
    const a = (key: string): Alert => ({ ...drawdown, key, title: key });
    await d.raise(a('a')); await d.raise(a('b')); await d.raise(a('c'));
    await d.flush();
    await d.raise(a('d'));
    await d.flush();
    await d.raise(a('e'));
    await d.flush();
    assert.deepEqual(s.by('/hook').map((h) => h.key), ['group:a,b,c', 'd'], 'a group of three used one of the two slots; e is held back');
    await d.resolve('a');
    await d.flush();
    await d.raise(a('f'));
    await d.resolve('b');
    await d.flush();
    const hooks = s.by('/hook');
    assert.equal(hooks.length, 4);
    assert.deepEqual([hooks[2].key, hooks[2].state, hooks[2].detail], ['a', 'resolved', 'drawdown 12.00% (threshold 10%)\n…and 1 more alert(s) held back by this channel\'s rate limit']);
    assert.deepEqual([hooks[3].key, hooks[3].state, hooks[3].alerts], ['b', 'resolved', undefined], 'f was held back, b\'s resolve went alone');
    assert.match(hooks[3].detail, /…and 1 more alert\(s\) held back/);
  } finally {
    await s.close();
  }
});

/** The text of a quoted-printable mail body (nodemailer encodes one with non-ASCII characters that way). */
function quotedPrintable(mail: string): string {
  const body = mail.slice(mail.indexOf('\r\n\r\n') + 4).replace(/=\r\n/g, '');
  return Buffer.from(body.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

test('an email lists a group\'s members', async () => {
  const mails: string[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) { let m = ''; stream.on('data', (d) => { m += d; }); stream.on('end', () => { mails.push(m); done(); }); },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  try {
    const ch = channelFrom({ type: 'email', name: 'mail', host: '127.0.0.1', port, from: 'keel@example.test', to: ['ops@example.test'] });
    await ch.send(alertGroup([drawdown, { ...stale, state: 'resolved' }]));
    assert.equal(mails.length, 1);
    assert.match(mails[0], /Subject: Keel \[CRITICAL\] 2 alerts: 1 firing, 1 resolved/);
    assert.match(mails[0], /Content-Transfer-Encoding: quoted-printable/);
    assert.equal(quotedPrintable(mails[0]), [
      '2 alerts: 1 firing, 1 resolved', '', LINE.drawdown, '• [RESOLVED] stale-data: no market data for 130 s — last market data 130 s ago', '',
      '2023-11-14T22:13:21.000Z · group:rule:drawdown,rule:stale-data', '',
    ].join('\r\n'));
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
