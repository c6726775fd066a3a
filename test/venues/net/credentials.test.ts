import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { KeelError } from '../../../src/model/index.ts';
import { ClockSkew, Secret, loadCredentials, parseHttpDate, redact } from '../../../src/venues/net/index.ts';

const src = { keyIdEnv: 'APCA_API_KEY_ID', secretEnv: 'APCA_API_SECRET_KEY', venue: 'alpaca' };

test('a Secret never prints, whatever prints it', () => {
  const s = new Secret('hunter2-secret');
  const text = [`${s}`, String(s), JSON.stringify({ s }), inspect({ s }), inspect(s)].join(' ');
  assert.ok(!text.includes('hunter2'));
  assert.equal(s.reveal(), 'hunter2-secret');
  assert.equal(redact('echo hunter2-secret!', [s]), 'echo [redacted]!');
});

test('credentials: config wins over environment; missing ones name the field and the variable, not a value', () => {
  const env = { APCA_API_KEY_ID: 'ENVKEY', APCA_API_SECRET_KEY: 'envsecret' };
  assert.equal(loadCredentials({ ...src, env }).keyId, 'ENVKEY');
  assert.equal(loadCredentials({ ...src, env, keyId: 'CFG', secret: 'cfgsecret' }).secret.reveal(), 'cfgsecret');
  assert.throws(() => loadCredentials({ ...src, env: { APCA_API_KEY_ID: 'K' } }), (e: unknown) => e instanceof KeelError && e.field === 'alpaca.secret' && /APCA_API_SECRET_KEY/.test(e.message));
  assert.throws(() => loadCredentials({ ...src, env: { APCA_API_SECRET_KEY: 'topsecret' } }), (e: unknown) => e instanceof KeelError && !e.message.includes('topsecret'));
});

test('clock skew: midpoint of the round trip, Date-header resolution, smoothed, slow samples ignored', () => {
  const skew = new ClockSkew({ alpha: 0.5, maxRoundTripMs: 1000 });
  skew.observe(1000, 1200, 2100); // venue 2100 at local midpoint 1100 → +1000
  assert.equal(skew.offsetMs, 1000);
  skew.observe(5000, 5100, 5050 - 500, 1000); // header second 4550..5550 → mid 5050 = local mid → 0
  assert.equal(skew.offsetMs, 500);
  skew.observe(0, 5000, 99_999); // too slow to trust
  assert.equal(skew.samples, 2);
  assert.equal(skew.venueNow(10_000), 10_500);
  assert.equal(parseHttpDate('Tue, 15 Nov 1994 08:12:31 GMT'), 784887151000);
  assert.equal(parseHttpDate(null), undefined);
});
