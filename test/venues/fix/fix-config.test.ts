import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, keel } from '../../helpers/cli.ts';
import { KeelError } from '../../../src/model/index.ts';
import { connectConfiguredVenue, parseRunConfig } from '../../../src/runtime/index.ts';
import { storePath } from './helpers.ts';

/** Bad venue sections: one line naming the run config, the key and the value, before any byte is sent. */
async function refused(override: Record<string, unknown>, expected: RegExp): Promise<number> {
  let connections = 0;
  const server = createServer((s) => { connections++; s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const venue = { kind: 'fix', host: '127.0.0.1', port, senderCompId: 'KEEL', targetCompId: 'EXEC', store: storePath(), symbols: ['ORCL'], ...override };
  const text = `strategy: { name: sma-cross }\njournal: j.sqlite\nvenue: ${JSON.stringify(venue)}\n`;
  try {
    await assert.rejects(connectConfiguredVenue(parseRunConfig(text, 'keel.yaml')), (e: unknown) => {
      assert.ok(e instanceof KeelError, String(e));
      assert.match(e.message, expected);
      assert.ok(!e.message.includes('\n'), 'one line');
      assert.ok(!e.message.includes('hunter2-secret'), 'a password is never echoed');
      return true;
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
  return connections;
}

test('a SenderCompID with a space, an unsupported order type, a bad host, a bad version: one line each, nothing connects', async () => {
  assert.equal(await refused({ senderCompId: 'KEEL 1' }, /^keel\.yaml: venue\.senderCompId = "?KEEL 1"?: must be 1 to 64 printable characters/), 0);
  assert.equal(await refused({ orderTypes: ['limit', 'trailing_stop'] }, /^keel\.yaml: venue\.orderTypes\.1 = "?trailing_stop"?: must be market, limit, stop or stop_limit/), 0);
  assert.equal(await refused({ host: 'exa mple' }, /^keel\.yaml: venue\.host = "?exa mple"?: must be a host name or IP address/), 0);
  assert.equal(await refused({ version: '5.0' }, /^keel\.yaml: venue\.version = "?5\.0"?: must be 4\.2 or 4\.4/), 0);
  assert.equal(await refused({ password: 12345678 }, /^keel\.yaml: venue\.password = "?\[redacted\]"?: /), 0);
  assert.equal(await refused({ heartbeatSecs: 5 }, /^keel\.yaml: venue\.heartbeatSecs = 5: is not a known key/), 0);
});

test('a counterparty that hangs up on the Logon: one line naming the session, the host and what to check', async () => {
  const n = await refused({ password: 'hunter2-secret' }, /^keel\.yaml: venue\.host = "?127\.0\.0\.1:\d+"?: FIX session FIX\.4\.2:KEEL->EXEC to 127\.0\.0\.1:\d+ failed: the counterparty closed the connection without answering the Logon/);
  assert.equal(n, 1, 'one attempt, no reconnect loop at start-up');
});

test('keel paper --config with a bad FIX section: exit 2 and exactly one line, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-fix-cli-'));
  mkdirSync(join(dir, 'examples'));
  try {
    const base = readFileSync(join(ROOT, 'examples/keel-fix.yaml'), 'utf8').replace('./strategies/limit-cross.ts', join(ROOT, 'examples/strategies/limit-cross.ts'))
      .replace('../../shared/data/daily/ORCL-1995-2014.csv', join(ROOT, '../shared/data/daily/ORCL-1995-2014.csv'));
    for (const [from, to, line] of [
      ['senderCompId: KEEL', 'senderCompId: "KEEL 1"', /^keel: .*keel\.yaml: venue\.senderCompId = "KEEL 1": must be 1 to 64 printable characters/],
      ['orderTypes: [limit]', 'orderTypes: [limit, trailing_stop]', /^keel: .*keel\.yaml: venue\.orderTypes\.1 = "trailing_stop": must be market, limit, stop or stop_limit/],
      ['host: 127.0.0.1', 'host: no-such-host.invalid', /^keel: .*keel\.yaml: venue\.host = "no-such-host\.invalid:9878": FIX session FIX\.4\.2:KEEL->EXECUTOR to no-such-host\.invalid:9878 failed: getaddrinfo ENOTFOUND/],
    ] as const) {
      const file = join(dir, 'examples', 'keel.yaml'); // its ../run is inside the temp folder
      writeFileSync(file, base.replace(from, to));
      const r = keel(['paper', '--config', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, line);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
