import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { KeelError, Secret } from '../../src/model/index.ts';
import {
  HEADER_BYTES, MAGIC, initVault, listSecrets, openVault, removeSecret, rotateVaultKey, secretEntry, setSecret, updateVault,
} from '../../src/security/index.ts';
import { withVaultLock } from '../../src/security/vault/vault-file.ts';
import { FAST_KDF, OTHER_PASSPHRASE, PASSPHRASE, tempFolder } from './vault-helpers.ts';

const VALUE = 'sk-live-very-secret-value-4242';

async function vaultWith(path: string, secrets: Record<string, string> = { ALPACA_SECRET: VALUE }): Promise<Buffer> {
  await initVault(path, PASSPHRASE, { kdf: FAST_KDF });
  await updateVault(path, PASSPHRASE, (c) => Object.entries(secrets).reduce((acc, [n, v]) => setSecret(acc, n, new Secret(v), new Date('2026-01-02T03:04:05Z')), c));
  return readFileSync(path);
}

/** The KeelError `fn` rejects with (fails the test if it resolves or throws something else). */
async function keelError(fn: () => Promise<unknown>): Promise<KeelError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof KeelError, `expected a KeelError, got ${String((e as Error)?.stack ?? e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e;
  }
  assert.fail('expected a KeelError');
}

test('init creates an empty vault, mode 0600, starting with the magic; set, get, list and remove round-trip', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await initVault(path, PASSPHRASE, { kdf: FAST_KDF });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const bytes = readFileSync(path);
    assert.ok(bytes.subarray(0, MAGIC.length).equals(MAGIC));
    assert.equal((await openVault(path, PASSPHRASE)).contents.secrets.size, 0);

    await updateVault(path, PASSPHRASE, (c) => setSecret(c, 'ALPACA_SECRET', new Secret(VALUE), new Date('2026-01-01T00:00:00Z')));
    await updateVault(path, PASSPHRASE, (c) => setSecret(c, 'slack.webhook', new Secret('https://hooks.example/T0/B0/x'), new Date('2026-01-02T00:00:00Z')));
    const { contents } = await openVault(path, PASSPHRASE);
    assert.equal(secretEntry(contents, 'ALPACA_SECRET').value.reveal(), VALUE);
    assert.deepEqual(listSecrets(contents).map((s) => s.name), ['ALPACA_SECRET', 'slack.webhook']);
    // Values are Secrets in memory: printing the contents shows none of them.
    assert.ok(!inspect(contents, { depth: 10 }).includes(VALUE));
    assert.ok(!JSON.stringify([...contents.secrets]).includes(VALUE));

    // Replacing keeps the creation time.
    await updateVault(path, PASSPHRASE, (c) => setSecret(c, 'ALPACA_SECRET', new Secret('a-new-value-123'), new Date('2026-02-01T00:00:00Z')));
    const replaced = secretEntry((await openVault(path, PASSPHRASE)).contents, 'ALPACA_SECRET');
    assert.equal(replaced.value.reveal(), 'a-new-value-123');
    assert.equal(replaced.createdAt, '2026-01-01T00:00:00.000Z');
    assert.equal(replaced.updatedAt, '2026-02-01T00:00:00.000Z');

    await updateVault(path, PASSPHRASE, (c) => removeSecret(c, 'slack.webhook'));
    assert.deepEqual(listSecrets((await openVault(path, PASSPHRASE)).contents).map((s) => s.name), ['ALPACA_SECRET']);
    assert.equal(statSync(path).mode & 0o777, 0o600, 'rewrites stay 0600');
  } finally {
    t.remove();
  }
});

test('names and values are inside the ciphertext: the file shows neither, and its size does not track the values', async () => {
  const t = tempFolder();
  try {
    const a = await vaultWith(t.path('a.vault'), { ALPACA_SECRET: VALUE });
    const b = await vaultWith(t.path('b.vault'), { ALPACA_SECRET: `${VALUE}-and-quite-a-bit-longer` });
    for (const text of [a.toString('latin1'), a.toString('utf8'), a.toString('base64')]) {
      assert.ok(!text.includes('ALPACA_SECRET') && !text.includes(VALUE));
    }
    assert.equal(a.length, b.length, 'padded to the same size');
    // A fresh nonce on every write: the same contents written twice differ everywhere after the salt.
    const path = t.path('a.vault');
    await updateVault(path, PASSPHRASE, (c) => c);
    const again = readFileSync(path);
    assert.ok(!again.subarray(39, 51).equals(a.subarray(39, 51)), 'new nonce');
    assert.ok(again.subarray(22, 38).equals(a.subarray(22, 38)), 'same salt (same key)');
  } finally {
    t.remove();
  }
});

test('a wrong passphrase is one clear line, and the file is left exactly as it was', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const before = await vaultWith(path);
    const e = await keelError(() => openVault(path, OTHER_PASSPHRASE));
    assert.equal(e.code, 'VAULT_WRONG_PASSPHRASE');
    assert.match(e.message, /keel\.vault.*wrong passphrase/);
    const u = await keelError(() => updateVault(path, OTHER_PASSPHRASE, (c) => setSecret(c, 'X_NEW', new Secret('whatever-value'), new Date())));
    assert.equal(u.code, 'VAULT_WRONG_PASSPHRASE');
    const r = await keelError(() => rotateVaultKey(path, OTHER_PASSPHRASE, new Secret('a brand new passphrase'), { kdf: FAST_KDF }));
    assert.equal(r.code, 'VAULT_WRONG_PASSPHRASE');
    assert.ok(readFileSync(path).equals(before), 'nothing overwritten');
    assert.ok(!existsSync(`${path}.tmp`) && !existsSync(`${path}.lock`), 'no temp or lock file left');
  } finally {
    t.remove();
  }
});

test('any changed byte is detected: each byte of the file flipped in turn fails to open, with one line', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const good = await vaultWith(path);
    const codes = new Set<string>();
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] ^= 0x01;
      writeFileSync(path, bad, { mode: 0o600 });
      const e = await keelError(() => openVault(path, PASSPHRASE));
      assert.match(e.code, /^VAULT_(TAMPERED|WRONG_PASSPHRASE|NOT_A_VAULT|VERSION|TRUNCATED)$/, `byte ${i}: ${e.code} ${e.message}`);
      codes.add(e.code);
      assert.ok(readFileSync(path).equals(bad), 'a failed open writes nothing');
    }
    // The body's bytes are caught by the tag, the magic by its check, the salt and KDF fields by the key check.
    for (const c of ['VAULT_TAMPERED', 'VAULT_NOT_A_VAULT', 'VAULT_WRONG_PASSPHRASE']) assert.ok(codes.has(c), `${c} among ${[...codes]}`);
    writeFileSync(path, good, { mode: 0o600 });
    assert.equal(secretEntry((await openVault(path, PASSPHRASE)).contents, 'ALPACA_SECRET').value.reveal(), VALUE);
  } finally {
    t.remove();
  }
});

test('a body byte changed is "changed or damaged", not "wrong passphrase"; a huge KDF parameter is refused before any derivation', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const good = await vaultWith(path);
    const body = Buffer.from(good);
    body[HEADER_BYTES + 5] ^= 0x80;
    writeFileSync(path, body, { mode: 0o600 });
    const e = await keelError(() => openVault(path, PASSPHRASE));
    assert.equal(e.code, 'VAULT_TAMPERED');
    assert.match(e.message, /has been changed or damaged since it was written/);

    // Memory cost set to 4 TiB: refused from the header alone, fast (no allocation attempted).
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0xffffffff, 13);
    writeFileSync(path, huge, { mode: 0o600 });
    const started = Date.now();
    const h = await keelError(() => openVault(path, PASSPHRASE));
    assert.equal(h.code, 'VAULT_TAMPERED');
    assert.match(h.message, /key derivation parameters are out of range/);
    assert.ok(Date.now() - started < 1_000);
  } finally {
    t.remove();
  }
});

test('a truncated vault says truncated (at every length), an extended one says changed; neither is overwritten', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const good = await vaultWith(path);
    for (const n of [0, 1, 5, MAGIC.length, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + 16, good.length - 17, good.length - 1]) {
      writeFileSync(path, good.subarray(0, n), { mode: 0o600 });
      const e = await keelError(() => openVault(path, PASSPHRASE));
      assert.equal(e.code, 'VAULT_TRUNCATED', `${n} bytes: ${e.message}`);
      assert.match(e.message, /is truncated/);
      const u = await keelError(() => updateVault(path, PASSPHRASE, (c) => c));
      assert.equal(u.code, 'VAULT_TRUNCATED');
      assert.equal(readFileSync(path).length, n);
    }
    writeFileSync(path, Buffer.concat([good, Buffer.from('x')]), { mode: 0o600 });
    assert.equal((await keelError(() => openVault(path, PASSPHRASE))).code, 'VAULT_TAMPERED');
    writeFileSync(path, 'just some text file, not a vault at all\n'.repeat(4), { mode: 0o600 });
    const n = await keelError(() => openVault(path, PASSPHRASE));
    assert.equal(n.code, 'VAULT_NOT_A_VAULT');
    const v2 = Buffer.from(good);
    v2.writeUInt16BE(2, 10);
    writeFileSync(path, v2, { mode: 0o600 });
    assert.match((await keelError(() => openVault(path, PASSPHRASE))).message, /is a version 2 vault; this keel reads version 1/);
  } finally {
    t.remove();
  }
});

test('a vault group or others can access is refused with a chmod 600 hint, like ssh; 0600 and 0400 open', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await vaultWith(path);
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o610, 0o601]) {
      chmodSync(path, mode);
      const e = await keelError(() => openVault(path, PASSPHRASE));
      assert.equal(e.code, 'VAULT_PERMISSIONS');
      assert.equal(e.message, `vault = ${JSON.stringify(path).length > 82 ? JSON.stringify(path.slice(0, 77) + '...') : JSON.stringify(path)}: is accessible by group or others (mode 0${mode.toString(8)}); a vault must be mode 0600 (chmod 600 ${path})`);
    }
    chmodSync(path, 0o400);
    assert.equal((await openVault(path, PASSPHRASE)).contents.secrets.size, 1);
    chmodSync(path, 0o600);
    assert.equal((await openVault(path, PASSPHRASE)).contents.secrets.size, 1);
  } finally {
    t.remove();
  }
});

test('init refuses an existing file, a short passphrase and a missing folder; open names a missing vault', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const before = await vaultWith(path);
    assert.equal((await keelError(() => initVault(path, OTHER_PASSPHRASE, { kdf: FAST_KDF }))).code, 'VAULT_EXISTS');
    assert.ok(readFileSync(path).equals(before));
    const weak = await keelError(() => initVault(t.path('weak.vault'), new Secret('short'), { kdf: FAST_KDF }));
    assert.equal(weak.code, 'WEAK_PASSPHRASE');
    assert.ok(!existsSync(t.path('weak.vault')));
    assert.equal((await keelError(() => initVault(t.path('no/such/folder.vault'), PASSPHRASE, { kdf: FAST_KDF }))).code, 'VAULT_UNREADABLE');
    const missing = await keelError(() => openVault(t.path('missing.vault'), PASSPHRASE));
    assert.equal(missing.code, 'VAULT_NOT_FOUND');
    assert.match(missing.message, /missing\.vault.*does not exist \(create it with keel secrets init/);
  } finally {
    t.remove();
  }
});

test('secret names are checked, naming the field and value; a short value is refused (it could not be scrubbed from logs)', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const before = await vaultWith(path);
    for (const name of ['my key', '', 'a/b', 'x'.repeat(129), 'semi;colon', 'ünï']) {
      const e = await keelError(() => updateVault(path, PASSPHRASE, (c) => setSecret(c, name, new Secret('long-enough-value'), new Date())));
      assert.equal(e.code, 'BAD_SECRET_NAME');
      assert.ok(e.message.startsWith(`secret name = ${JSON.stringify(name.length > 80 ? name.slice(0, 77) + '...' : name)}: must be letters, digits`), e.message);
    }
    const short = await keelError(() => updateVault(path, PASSPHRASE, (c) => setSecret(c, 'PIN', new Secret('1234'), new Date())));
    assert.equal(short.code, 'SECRET_TOO_SHORT');
    assert.ok(!short.message.includes('1234'));
    const missing = await keelError(async () => secretEntry((await openVault(path, PASSPHRASE)).contents, 'NOPE'));
    assert.equal(missing.message, 'secret name = "NOPE": is not in the vault (keel secrets list shows the names)');
    assert.ok(readFileSync(path).equals(before), 'a refused change writes nothing');
  } finally {
    t.remove();
  }
});

test('rotate-key: a new salt and passphrase; the old passphrase no longer opens it, the new one shows the same contents', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const before = await vaultWith(path, { A_ONE: 'value-number-one', B_TWO: 'value-number-two' });
    const next = new Secret('an entirely new passphrase');
    assert.equal((await keelError(() => rotateVaultKey(path, PASSPHRASE, new Secret('short'), { kdf: FAST_KDF }))).code, 'WEAK_PASSPHRASE');
    assert.ok(readFileSync(path).equals(before));
    await rotateVaultKey(path, PASSPHRASE, next, { kdf: FAST_KDF });
    const after = readFileSync(path);
    assert.ok(!after.subarray(22, 38).equals(before.subarray(22, 38)), 'new salt');
    assert.equal((await keelError(() => openVault(path, PASSPHRASE))).code, 'VAULT_WRONG_PASSPHRASE');
    const { contents } = await openVault(path, next);
    assert.deepEqual(listSecrets(contents).map((s) => [s.name, secretEntry(contents, s.name).value.reveal()]), [['A_ONE', 'value-number-one'], ['B_TWO', 'value-number-two']]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    t.remove();
  }
});

test('writers take turns: concurrent updates all land; a lock left by a dead process is taken over', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await vaultWith(path, {});
    await Promise.all(Array.from({ length: 5 }, (_, i) => updateVault(path, PASSPHRASE, (c) => setSecret(c, `S${i}`, new Secret(`value-${i}-xxxx`), new Date()))));
    assert.deepEqual(listSecrets((await openVault(path, PASSPHRASE)).contents).map((s) => s.name), ['S0', 'S1', 'S2', 'S3', 'S4']);
    // A crashed writer's lock (a pid that no longer runs) and temp file.
    writeFileSync(`${path}.lock`, '999999999\n');
    writeFileSync(`${path}.tmp`, 'half a vault');
    await updateVault(path, PASSPHRASE, (c) => setSecret(c, 'AFTER', new Secret('after-the-crash'), new Date()));
    assert.equal(listSecrets((await openVault(path, PASSPHRASE)).contents).length, 6);
    assert.ok(!existsSync(`${path}.lock`) && !existsSync(`${path}.tmp`));
    // A live holder (this process) is waited for, then refused in one line.
    writeFileSync(`${path}.lock`, `${process.pid}\n`);
    const e = await keelError(() => withVaultLock(path, async () => assert.fail('ran without the lock'), 300));
    assert.equal(e.code, 'VAULT_LOCKED');
    assert.match(e.message, new RegExp(`is being changed by process ${process.pid}`));
  } finally {
    t.remove();
  }
});
