import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Secret } from '../../src/model/index.ts';
import { listSecrets, openVault } from '../../src/security/index.ts';
import { keelWithInput, type KeelRun } from '../helpers/keel-process.ts';
import { tempFolder } from './vault-helpers.ts';

/**
 * Crash safety of vault writes, as processes: `keel secrets rotate-key` and `keel secrets set` are killed with
 * SIGKILL at each point of the atomic write (KEEL_VAULT_CRASH_AT). Until the rename the old vault must be
 * byte for byte what it was and open with the old passphrase; after it, the new one; and the next command
 * must work (the dead writer's lock and temp file are taken over).
 */

const OLD = 'the old passphrase, long enough';
const NEW = 'the new passphrase, long enough';

function keel(args: string[], env: Record<string, string>, stdin = ''): Promise<KeelRun> {
  return keelWithInput(args, { env, stdin });
}

async function freshVault(path: string): Promise<Buffer> {
  assert.equal((await keel(['secrets', 'init', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD })).code, 0);
  const set = await keel(['secrets', 'set', 'ALPACA_SECRET', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD }, 'the-value-before-1234');
  assert.equal(set.code, 0, set.stderr);
  return readFileSync(path);
}

for (const point of ['temp-partial', 'temp-written'] as const) {
  test(`rotate-key killed at ${point}: the old vault is untouched and opens with the old passphrase; the next command recovers`, { timeout: 60_000 }, async () => {
    const t = tempFolder();
    try {
      const path = t.path('keel.vault');
      const before = await freshVault(path);
      const r = await keel(['secrets', 'rotate-key', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD, KEEL_VAULT_NEW_PASSPHRASE: NEW, KEEL_VAULT_CRASH_AT: point });
      assert.equal(r.signal, 'SIGKILL', `killed at ${point}: ${r.stderr}`);
      assert.ok(existsSync(`${path}.tmp`), 'died with its temp file written');
      assert.ok(existsSync(`${path}.lock`), 'died holding the lock');
      assert.ok(readFileSync(path).equals(before), 'the vault is byte for byte the old one');
      const { contents } = await openVault(path, new Secret(OLD));
      assert.equal(contents.secrets.get('ALPACA_SECRET')?.value.reveal(), 'the-value-before-1234');
      await assert.rejects(openVault(path, new Secret(NEW)), /wrong passphrase/);

      // The next write takes over the dead writer's lock and replaces its temp file.
      const again = await keel(['secrets', 'rotate-key', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD, KEEL_VAULT_NEW_PASSPHRASE: NEW });
      assert.equal(again.code, 0, again.stderr);
      assert.ok(!existsSync(`${path}.tmp`) && !existsSync(`${path}.lock`));
      assert.equal((await openVault(path, new Secret(NEW))).contents.secrets.get('ALPACA_SECRET')?.value.reveal(), 'the-value-before-1234');
    } finally {
      t.remove();
    }
  });
}

test('rotate-key killed right after the rename: the new vault is whole and opens with the new passphrase only', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await freshVault(path);
    const r = await keel(['secrets', 'rotate-key', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD, KEEL_VAULT_NEW_PASSPHRASE: NEW, KEEL_VAULT_CRASH_AT: 'renamed' });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal((await openVault(path, new Secret(NEW))).contents.secrets.get('ALPACA_SECRET')?.value.reveal(), 'the-value-before-1234');
    await assert.rejects(openVault(path, new Secret(OLD)), /wrong passphrase/);
    const list = await keel(['secrets', 'list', '--vault', path], { KEEL_VAULT_PASSPHRASE: NEW });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ALPACA_SECRET {2}\(updated /);
  } finally {
    t.remove();
  }
});

test('set killed before the rename leaves the vault without the new secret, and readable', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    const before = await freshVault(path);
    const r = await keel(['secrets', 'set', 'NEW_ONE', '--vault', path], { KEEL_VAULT_PASSPHRASE: OLD, KEEL_VAULT_CRASH_AT: 'temp-written' }, 'a-new-secret-value');
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(readFileSync(path).equals(before));
    assert.deepEqual(listSecrets((await openVault(path, new Secret(OLD))).contents).map((s) => s.name), ['ALPACA_SECRET']);
  } finally {
    t.remove();
  }
});
