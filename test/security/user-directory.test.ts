import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Secret } from '../../src/model/index.ts';
import {
  UserDirectory, addToken, addUser, hashPassword, initVault, listSecrets, newApiToken, newTotpSecret, openVault, removeUser, revokeToken,
  rotateVaultKey, setSecret, setTotpSecret, setUserRoles, totpCode, updateVault, type Role, type VaultContents,
} from '../../src/security/index.ts';
import { encodeContents } from '../../src/security/vault/vault-contents.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { FAST_KDF, PASSPHRASE, tempFolder } from './vault-helpers.ts';

const NOW = new Date('2026-03-01T12:00:00Z');

interface Fixture {
  readonly path: string;
  readonly remove: () => void;
  readonly seeds: Record<string, string>;
  readonly tokens: Record<string, { text: string; id: string }>;
}

/** A vault with alice (trader), bob (risk, admin) and a secret also called "alice": each user has a token. */
async function fixture(): Promise<Fixture> {
  const t = tempFolder('keel-users-');
  const path = t.path('keel.vault');
  await initVault(path, PASSPHRASE, { kdf: FAST_KDF });
  const seeds: Record<string, string> = {};
  const tokens: Record<string, { text: string; id: string }> = {};
  const users: [string, Role[], string][] = [['alice', ['trader'], 'alice-password-123'], ['bob', ['risk', 'admin'], 'bob-password-4567']];
  let c: VaultContents = (await openVault(path, PASSPHRASE)).contents;
  for (const [name, roles, password] of users) {
    seeds[name] = newTotpSecret();
    c = addUser(c, { name, roles, passwordHash: await hashPassword(new Secret(password)), totpSecret: seeds[name] }, NOW);
    const tok = newApiToken();
    c = addToken(c, name, { id: tok.id, sha256: tok.sha256, label: `${name}'s laptop` }, NOW);
    tokens[name] = { text: tok.token.reveal(), id: tok.id };
  }
  c = setSecret(c, 'alice', new Secret('a-secret-named-like-a-user'), NOW);
  const final = c;
  await updateVault(path, PASSPHRASE, () => final);
  return { path, remove: t.remove, seeds, tokens };
}

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

test('passwords: the right one gives a principal with the user\'s roles; a wrong one, an unknown user or another user\'s password give nothing', async () => {
  const f = await fixture();
  const dir = await UserDirectory.open(f.path, PASSPHRASE);
  try {
    assert.deepEqual(await dir.verifyPassword('alice', 'alice-password-123'), { user: 'alice', roles: ['trader'], via: 'password' });
    assert.deepEqual(await dir.verifyPassword('bob', new Secret('bob-password-4567')), { user: 'bob', roles: ['risk', 'admin'], via: 'password' });
    for (const [u, p] of [['alice', 'alice-password-12'], ['alice', 'bob-password-4567'], ['carol', 'alice-password-123'], ['alice', ''], ['', '']]) {
      assert.equal(await dir.verifyPassword(u, p), undefined, `${u} / ${p}`);
    }
    // The listing shows roles and token ids, never a hash or a seed.
    const shown = JSON.stringify(dir.users());
    assert.ok(!shown.includes('$argon2id') && !shown.includes(f.seeds.alice) && !shown.includes(f.tokens.alice.text));
    assert.deepEqual(dir.users().map((u) => [u.name, u.roles, u.tokens.map((t) => t.id)]), [['alice', ['trader'], [f.tokens.alice.id]], ['bob', ['risk', 'admin'], [f.tokens.bob.id]]]);
  } finally {
    dir.close();
    f.remove();
  }
});

test('tokens: the whole token authenticates; a changed character, another id or garbage does not; the vault holds only hashes', async () => {
  const f = await fixture();
  const dir = await UserDirectory.open(f.path, PASSPHRASE);
  try {
    const alice = f.tokens.alice.text;
    assert.deepEqual(dir.authenticateToken(alice), { user: 'alice', roles: ['trader'], via: 'token', tokenId: f.tokens.alice.id });
    const last = alice.at(-1) === '0' ? '1' : '0';
    for (const bad of [`${alice.slice(0, -1)}${last}`, `keel_${f.tokens.bob.id}_${alice.slice(-64)}`, alice.toUpperCase(), 'keel_', '', 'Bearer x', `${alice} `]) {
      assert.equal(dir.authenticateToken(bad), undefined, bad);
    }
    const plain = encodeContents((await openVault(f.path, PASSPHRASE)).contents);
    assert.ok(!plain.includes(alice) && !plain.includes(alice.slice(-64)), 'not even the decrypted vault holds a token');
    assert.ok(!plain.includes('alice-password-123'), 'nor a password');
  } finally {
    dir.close();
    f.remove();
  }
});

test('keel users revoke-token takes effect on a running directory within about a second, without a restart', { timeout: 60_000 }, async () => {
  const f = await fixture();
  const dir = await UserDirectory.open(f.path, PASSPHRASE);
  try {
    const session = dir.authenticateToken(f.tokens.alice.text)!;
    assert.ok(dir.hasPermission(session, 'trade.pause'));
    // bob is an admin, so the change is his, with his code (keel users' TOTP step-up).
    const r = await keelWithInput(['users', 'revoke-token', f.tokens.alice.id, '--vault', f.path, '--as', 'bob', '--totp', totpCode(f.seeds.bob, Date.now())], { env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `revoked token ${f.tokens.alice.id} of alice\n`);
    const took = await until('the revocation', () => dir.authenticateToken(f.tokens.alice.text) === undefined);
    assert.ok(took <= 1_000, `took ${took} ms after the command exited`);
    assert.equal(dir.hasPermission(session, 'trade.pause'), false, 'a session opened with the token loses it too');
    assert.ok(dir.authenticateToken(f.tokens.bob.text), 'other tokens still work');
    assert.equal(dir.status().state, 'ready');
    assert.equal(dir.user('alice')?.tokens[0].revokedAt !== undefined, true);
  } finally {
    dir.close();
    f.remove();
  }
});

test('permissions are checked against the vault as it is now: a role change, a removal and a revocation reach principals already issued', async () => {
  const f = await fixture();
  const dir = await UserDirectory.open(f.path, PASSPHRASE, { pollMs: 60_000 });
  try {
    const alice = (await dir.verifyPassword('alice', 'alice-password-123'))!;
    const bob = dir.authenticateToken(f.tokens.bob.text)!;
    assert.ok(dir.hasPermission(alice, 'trade.cancel') && !dir.hasPermission(alice, 'risk.kill'));
    assert.ok(dir.hasPermission(bob, 'risk.kill') && dir.hasPermission(bob, 'users.manage') && !dir.hasPermission(bob, 'trade.pause'));
    await updateVault(f.path, PASSPHRASE, (c) => setUserRoles(c, 'alice', ['viewer', 'risk'], NOW));
    await dir.reload();
    assert.ok(dir.hasPermission(alice, 'risk.kill') && !dir.hasPermission(alice, 'trade.cancel'), 'alice is now viewer and risk');
    await updateVault(f.path, PASSPHRASE, (c) => removeUser(c, 'alice'));
    await dir.reload();
    assert.equal(dir.hasPermission(alice, 'read'), false, 'a removed user can do nothing');
    assert.equal(await dir.verifyPassword('alice', 'alice-password-123'), undefined);
    assert.equal(dir.authenticateToken(f.tokens.alice.text), undefined, 'nor use its tokens');
    await updateVault(f.path, PASSPHRASE, (c) => revokeToken(c, f.tokens.bob.id, NOW));
    await dir.reload();
    assert.equal(dir.hasPermission(bob, 'read'), false);
    // A principal that names a token the user does not hold is refused.
    const forged = { user: 'bob', roles: ['admin'] as Role[], via: 'token' as const, tokenId: 'ffffffffffffffff' };
    assert.equal(dir.hasPermission(forged, 'read'), false);
  } finally {
    dir.close();
    f.remove();
  }
});

test('TOTP: the current code once, never twice; one step either side; a reset seed invalidates the old codes', async () => {
  const f = await fixture();
  const dir = await UserDirectory.open(f.path, PASSPHRASE, { pollMs: 60_000 });
  try {
    const now = Date.parse('2026-03-01T12:00:10Z');
    const code = totpCode(f.seeds.alice, now);
    assert.equal(dir.verifyTotp('alice', code, now), true);
    assert.equal(dir.verifyTotp('alice', code, now), false, 'replayed within its window');
    assert.equal(dir.verifyTotp('alice', code, now + 25_000), false, 'replayed in the next step');
    assert.equal(dir.verifyTotp('alice', totpCode(f.seeds.alice, now - 30_000), now), false, 'an older code after a newer one');
    assert.equal(dir.verifyTotp('alice', totpCode(f.seeds.alice, now + 30_000), now), true, 'one step ahead (a fast phone clock)');
    assert.equal(dir.verifyTotp('bob', totpCode(f.seeds.bob, now - 30_000), now), true, 'one step behind, and per user');
    assert.equal(dir.verifyTotp('bob', totpCode(f.seeds.bob, now - 90_000), now + 60_000), false, 'far outside the window');
    assert.equal(dir.verifyTotp('bob', totpCode(f.seeds.alice, now + 60_000), now + 60_000), false, "another user's code");
    assert.equal(dir.verifyTotp('carol', '123456', now), false);
    const fresh = newTotpSecret();
    await updateVault(f.path, PASSPHRASE, (c) => setTotpSecret(c, 'alice', fresh, NOW));
    await dir.reload();
    assert.equal(dir.verifyTotp('alice', totpCode(f.seeds.alice, now + 60_000), now + 60_000), false, 'the old seed is gone');
    assert.equal(dir.verifyTotp('alice', totpCode(fresh, now), now), true, 'the new seed starts a fresh history');
  } finally {
    dir.close();
    f.remove();
  }
});

test('fails closed: after rotate-key, a deleted or damaged vault every check says no; a readable vault again brings it back', async () => {
  const f = await fixture();
  const events: string[] = [];
  const dir = await UserDirectory.open(f.path, PASSPHRASE, { pollMs: 60_000, onReload: (r) => events.push(r.ok ? 'ok' : r.error.code) });
  try {
    const good = readFileSync(f.path);
    const token = f.tokens.bob.text;
    const bob = dir.authenticateToken(token)!;
    await rotateVaultKey(f.path, PASSPHRASE, new Secret('a new passphrase for rotation'), { kdf: FAST_KDF });
    await dir.reload();
    const status = dir.status();
    assert.equal(status.state, 'unavailable');
    assert.match(status.state === 'unavailable' ? status.error.message : '', /was re-keyed \(keel secrets rotate-key\) since it was opened \(restart with the new passphrase\)/);
    assert.equal(dir.authenticateToken(token), undefined);
    assert.equal(await dir.verifyPassword('bob', 'bob-password-4567'), undefined);
    assert.equal(dir.hasPermission(bob, 'read'), false);
    assert.equal(dir.verifyTotp('bob', totpCode(f.seeds.bob, Date.now())), false);
    assert.deepEqual(dir.users(), []);

    writeFileSync(f.path, good, { mode: 0o600 }); // the old file back: our key opens it again
    await dir.reload();
    assert.equal(dir.status().state, 'ready');
    assert.ok(dir.authenticateToken(token));

    renameSync(f.path, `${f.path}.away`);
    await dir.reload();
    assert.equal(dir.status().state, 'unavailable');
    assert.equal(dir.authenticateToken(token), undefined);
    const damaged = Buffer.from(good);
    damaged[damaged.length - 3] ^= 1;
    writeFileSync(f.path, damaged, { mode: 0o600 });
    await dir.reload();
    assert.equal(dir.authenticateToken(token), undefined);
    assert.deepEqual(events, ['VAULT_REKEYED', 'ok', 'VAULT_NOT_FOUND', 'VAULT_TAMPERED']);
    await dir.reload(); // nothing changed since the failure: not tried (nor reported) again
    assert.equal(events.length, 4);
  } finally {
    dir.close();
    f.remove();
  }
});

test('users live in their own namespace: a secret and a user share a name, and the secrets list shows no user', async () => {
  const f = await fixture();
  try {
    const { contents } = await openVault(f.path, PASSPHRASE);
    assert.deepEqual(listSecrets(contents).map((s) => s.name), ['alice']);
    assert.deepEqual([...contents.users.keys()], ['alice', 'bob']);
    const r = await keelWithInput(['secrets', 'list', '--vault', f.path], { env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^alice {2}\(updated [^)]+\)\n$/);
    assert.ok(!r.stdout.includes('bob'));
  } finally {
    f.remove();
  }
});
