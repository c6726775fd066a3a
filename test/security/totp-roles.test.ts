import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import {
  MFA_PERMISSIONS, PERMISSIONS, ROLES, ROLE_PERMISSIONS, apiTokenId, base32, matchTotp, newApiToken, newTotpSecret, parseRoles,
  permissionsOf, requiresMfa, rolesGrant, tokenDigest, totpCode, totpStep, totpUri,
} from '../../src/security/index.ts';

/** RFC 6238 Appendix B: time (s), expected 8-digit code per algorithm (seeds per the reference implementation). */
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];
const ascii = (s: string) => new TextEncoder().encode(s);
const SEEDS = {
  sha1: ascii('12345678901234567890'),
  sha256: ascii('12345678901234567890123456789012'),
  sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

test('TOTP matches RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512, from raw and base32 seeds, and verifies them', () => {
  for (const [t, sha1, sha256, sha512] of VECTORS) {
    for (const [algorithm, expected] of [['sha1', sha1], ['sha256', sha256], ['sha512', sha512]] as const) {
      const seed = SEEDS[algorithm];
      assert.equal(totpCode(seed, t * 1000, { digits: 8, algorithm }), expected, `${algorithm} at ${t}`);
      assert.equal(totpCode(base32(seed), t * 1000, { digits: 8, algorithm }), expected, `${algorithm} at ${t}, base32 seed`);
      assert.equal(matchTotp(seed, expected, t * 1000, { digits: 8, algorithm }), totpStep(t * 1000));
    }
  }
  // The base32 of the SHA-1 seed is the one authenticator apps are given in the RFC's examples.
  assert.equal(base32(SEEDS.sha1), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
});

test('a code is accepted one step early or late, not two; a used step and anything before it are refused (replay)', () => {
  const seed = newTotpSecret();
  const now = 1_700_000_015_000; // mid-step
  const code = totpCode(seed, now);
  const step = totpStep(now);
  assert.equal(matchTotp(seed, code, now), step);
  assert.equal(matchTotp(seed, code, now - 30_000), step, 'verifier clock one step behind');
  assert.equal(matchTotp(seed, code, now + 30_000), step, 'verifier clock one step ahead');
  assert.equal(matchTotp(seed, code, now + 60_000), undefined, 'two steps late');
  assert.equal(matchTotp(seed, code, now - 60_000), undefined, 'two steps early');
  assert.equal(matchTotp(seed, code, now, { afterStep: step }), undefined, 'the same step again');
  assert.equal(matchTotp(seed, totpCode(seed, now - 30_000), now, { afterStep: step }), undefined, 'an earlier step after a later one');
  assert.equal(matchTotp(seed, totpCode(seed, now + 30_000), now, { afterStep: step }), step + 1, 'the next step is fine');
  for (const bad of ['', '12345', '1234567', 'abcdef', '12345a', ' 123456']) assert.equal(matchTotp(seed, bad, now), undefined);
  assert.equal(matchTotp(newTotpSecret(), code, now), undefined, 'another seed');
});

test('seeds are 160 random bits in base32, and the otpauth URI says what the app needs', () => {
  const a = newTotpSecret();
  assert.match(a, /^[A-Z2-7]{32}$/);
  assert.notEqual(a, newTotpSecret());
  const uri = new URL(totpUri('alice', a));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/Keel:alice');
  assert.equal(uri.searchParams.get('secret'), a);
  assert.equal(uri.searchParams.get('issuer'), 'Keel');
});

test('roles are data: each grants its own actions, several roles add up, admin is not risk', () => {
  assert.deepEqual([...ROLES], ['viewer', 'trader', 'risk', 'admin']);
  for (const r of ROLES) {
    assert.ok(ROLE_PERMISSIONS[r].includes('read'), `${r} can read`);
    for (const p of ROLE_PERMISSIONS[r]) assert.ok(PERMISSIONS.includes(p));
  }
  assert.deepEqual([...permissionsOf(['viewer'])], ['read']);
  assert.ok(rolesGrant(['trader'], 'trade.pause') && rolesGrant(['trader'], 'trade.cancel') && !rolesGrant(['trader'], 'risk.kill'));
  assert.ok(rolesGrant(['risk'], 'risk.kill') && rolesGrant(['risk'], 'risk.rearm') && rolesGrant(['risk'], 'risk.limits') && !rolesGrant(['risk'], 'trade.cancel'));
  assert.ok(rolesGrant(['admin'], 'users.manage') && rolesGrant(['admin'], 'secrets.manage'));
  assert.ok(!rolesGrant(['admin'], 'risk.kill') && !rolesGrant(['admin'], 'trade.pause'), 'admin is not automatically risk or trader');
  assert.deepEqual([...permissionsOf(['trader', 'risk'])].sort(), ['read', 'risk.kill', 'risk.limits', 'risk.rearm', 'strategy.deploy', 'trade.cancel', 'trade.pause']);
  assert.ok(!rolesGrant([], 'read'));
  // Every permission is granted by some role; MFA guards kill, re-arm, limits, users and secrets.
  for (const p of PERMISSIONS) assert.ok(ROLES.some((r) => rolesGrant([r], p)), p);
  assert.deepEqual([...MFA_PERMISSIONS].sort(), ['risk.kill', 'risk.limits', 'risk.rearm', 'secrets.manage', 'users.manage']);
  assert.ok(requiresMfa('risk.kill') && !requiresMfa('trade.pause') && !requiresMfa('read'));
});

test('--role: known names, several, no repeats; a bad one names the field and value', () => {
  assert.deepEqual(parseRoles('trader,risk'), ['trader', 'risk']);
  assert.deepEqual(parseRoles(' risk , risk,viewer'), ['risk', 'viewer']);
  for (const [text, bad] of [['traders', 'traders'], ['viewer,root', 'root'], ['', '']]) {
    assert.throws(() => parseRoles(text), (e: unknown) => e instanceof KeelError && e.code === 'BAD_ROLE' && e.message.startsWith(`--role = ${JSON.stringify(bad || text)}`) && e.message.includes('roles: viewer, trader, risk, admin'));
  }
});

test('API tokens: keel_ prefix, a public 64-bit id, 256 random bits; only the SHA-256 is kept', () => {
  const t = newApiToken();
  const text = t.token.reveal();
  assert.match(text, /^keel_[0-9a-f]{16}_[0-9a-f]{64}$/);
  assert.equal(apiTokenId(text), t.id);
  assert.equal(t.sha256, tokenDigest(text).toString('hex'));
  assert.equal(`${t.token}`, '[redacted]');
  assert.equal(JSON.stringify(t).includes(text), false, 'the record as JSON holds no token');
  assert.notEqual(newApiToken().token.reveal(), text);
  for (const bad of ['keel_xyz', `Keel_${text.slice(5)}`, `${text}0`, text.slice(0, -1), '']) assert.equal(apiTokenId(bad), undefined);
});
