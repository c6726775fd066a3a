import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import { CORRELATION_ID, createLogger, orderLogger, secretScrubber, type LoggerOptions } from '../../src/ops/index.ts';

const SECRET = 'sk-live-9f8e7d6c5b4a';
const PASSWORD = 'hunter2-correct-horse';
const QUOTED = 'pa"ss\\word-xyz';

/** A logger whose lines are collected in memory (writes are synchronous through our destination). */
function capture(o: Partial<LoggerOptions> = {}): { log: ReturnType<typeof createLogger>; lines: string[]; json: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', pretty: false, secrets: [SECRET, PASSWORD, QUOTED], ...o, destination: { write: (s: string) => { lines.push(s); } } });
  return { log, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const noSecrets = (lines: readonly string[]) => {
  const all = lines.join('');
  for (const s of [SECRET, PASSWORD, QUOTED, JSON.stringify(QUOTED).slice(1, -1)]) assert.ok(!all.includes(s), `leaked ${s} in ${all}`);
};

test('one JSON object per line: level, ISO time, name, message, fields', () => {
  const { log, lines, json } = capture();
  log.info({ venue: 'alpaca', equity: 100_000 }, 'connected');
  log.debug('detail');
  log.trace('hidden below the level');
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  const [first] = json();
  assert.equal(first.level, 30);
  assert.equal(first.name, 'keel');
  assert.equal(first.msg, 'connected');
  assert.equal(first.venue, 'alpaca');
  assert.equal(first.equity, 100_000);
  assert.match(String(first.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('an order logger carries the client order id as the correlation id on every line, signal to fill', () => {
  const { log, json } = capture();
  const olog = orderLogger(log, 'sma-1-42', { strategyId: 'sma', instrument: 'AAPL' });
  olog.info({ side: 'buy' }, 'signal');
  olog.info('approved by the risk gate');
  olog.child({ venue: 'alpaca' }).info({ price: '101.25' }, 'filled');
  log.info('unrelated');
  const rows = json();
  assert.deepEqual(rows.slice(0, 3).map((r) => r[CORRELATION_ID]), ['sma-1-42', 'sma-1-42', 'sma-1-42']);
  assert.equal(rows[0].strategyId, 'sma');
  assert.equal(rows[2].venue, 'alpaca');
  assert.equal(rows[3][CORRELATION_ID], undefined);
});

test('secret fields are redacted by path: top level, nested, headers (the key id stays visible)', () => {
  const { log, lines, json } = capture({ secrets: [], redact: ['order.account.number'] });
  log.info({ password: 'a-password-1', apiKey: 'an-api-key-1' }, 'top');
  log.info({ venue: { keyId: 'PKTEST123', secret: 'nested-secret-1', token: 'tok-1234567' } }, 'one level');
  log.info({ config: { alpaca: { secretKey: 'deep-secret-1' } } }, 'two levels');
  log.info({ req: { headers: { 'APCA-API-KEY-ID': 'PKTEST123', 'APCA-API-SECRET-KEY': 'hdr-secret-1', authorization: 'Bearer abcdef' } } }, 'http');
  log.info({ headers: { 'apca-api-secret-key': 'hdr-secret-2' } }, 'incoming');
  log.info({ order: { account: { number: 'ACC-998877' } } }, 'extra path');
  const all = lines.join('');
  for (const s of ['a-password-1', 'an-api-key-1', 'nested-secret-1', 'tok-1234567', 'deep-secret-1', 'hdr-secret-1', 'Bearer abcdef', 'hdr-secret-2', 'ACC-998877']) {
    assert.ok(!all.includes(s), `leaked ${s}`);
  }
  const rows = json();
  assert.equal(rows[0].password, '[redacted]');
  assert.deepEqual(rows[1].venue, { keyId: 'PKTEST123', secret: '[redacted]', token: '[redacted]' });
  const headers = (rows[3].req as { headers: Record<string, string> }).headers;
  assert.equal(headers['APCA-API-KEY-ID'], 'PKTEST123');
  assert.equal(headers['APCA-API-SECRET-KEY'], '[redacted]');
});

test('literal secrets are scrubbed by value from messages, any field at any depth, arrays, errors and stacks', () => {
  const { log, lines, json } = capture();
  log.info(`logging in with ${SECRET}`);
  log.info({ a: { b: { c: { d: [`x ${PASSWORD} y`] } } }, note: SECRET }, 'deep');
  log.info({ q: QUOTED }, `quoted ${QUOTED}`);
  const err = new Error(`request failed: key=${SECRET}`);
  log.error(err);
  log.error({ err: new TypeError(`bad ${PASSWORD}`) }, 'typed');
  log.warn({ error: new Error(`as error field ${SECRET}`) }, 'error key');
  log.info('%s and %o', SECRET, { p: PASSWORD });
  noSecrets(lines);
  const rows = json();
  assert.equal(rows[0].msg, 'logging in with [redacted]');
  assert.deepEqual(rows[1].a, { b: { c: { d: ['x [redacted] y'] } } });
  assert.equal(rows[2].q, '[redacted]');
  assert.equal(rows[2].msg, 'quoted [redacted]');
  const e = rows[3].err as { type: string; message: string; stack: string };
  assert.equal(e.type, 'Error');
  assert.equal(e.message, 'request failed: key=[redacted]');
  assert.match(e.stack, /request failed: key=\[redacted\]/);
  assert.equal((rows[4].err as { type: string }).type, 'TypeError');
  assert.equal((rows[5].error as { message: string }).message, 'as error field [redacted]');
});

test('secrets from unset variables are skipped; a too-short secret is refused', () => {
  assert.doesNotThrow(() => capture({ secrets: [undefined, ''] }));
  assert.throws(() => capture({ secrets: ['abc'] }), (e: unknown) => e instanceof KeelError && e.code === 'SECRET_TOO_SHORT' && !e.message.includes('abc'));
  const scrub = secretScrubber(['abcdef', 'abcdefgh']);
  assert.equal(scrub('abcdefgh abcdef'), '[redacted] [redacted]', 'the longer secret is replaced whole');
});

test('pretty mode writes human lines, not JSON, and still scrubs', () => {
  const { log, lines } = capture({ pretty: true });
  orderLogger(log, 'sma-1-42').info({ password: 'pw-123456' }, `filled with ${SECRET}`);
  assert.equal(lines.length, 1);
  const line = lines[0];
  assert.throws(() => JSON.parse(line));
  assert.match(line, /INFO/);
  assert.match(line, /filled with \[redacted\]/);
  assert.match(line, /INFO.*: \[sma-1-42\] filled with \[redacted\]/, 'one line, naming the order');
  assert.ok(!line.trimEnd().includes('\n'), 'no continuation lines');
  assert.ok(!line.includes('pw-123456'));
  assert.ok(!line.includes('\u001b['), 'no colour codes when not writing to a terminal');
  noSecrets(lines);
});
