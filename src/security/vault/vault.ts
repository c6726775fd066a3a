import { randomBytes } from 'node:crypto';
import { KeelError, type Secret } from '../../model/index.ts';
import { checkKdfParams, deriveVaultKey, DEFAULT_KDF, SALT_BYTES, type KdfParams, type VaultKey } from './kdf.ts';
import { openSealed, readHeader, sealVault } from './vault-format.ts';
import { decodeContents, encodeContents, EMPTY_CONTENTS, type VaultContents } from './vault-contents.ts';
import { readVaultFile, withVaultLock, writeVaultFile, type FileFingerprint } from './vault-file.ts';

/**
 * The secrets vault: one encrypted file (AES-256-GCM under an argon2id key from a passphrase; the layout is in
 * vault-format.ts and docs/security.md) holding the secrets and the users. Every failure is one KeelError
 * naming the file, and nothing on disk changes unless a whole new file replaces it.
 */

/** A vault read and decrypted: its contents, the key (to re-read it without the passphrase) and what the file looked like. */
export interface OpenVault {
  readonly path: string;
  readonly contents: VaultContents;
  readonly key: VaultKey;
  readonly fingerprint: FileFingerprint;
}

/** Shortest passphrase `init` and `rotate-key` accept: argon2id slows guessing, it cannot save a short word. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** A KeelError if `passphrase` is too short for a new vault key. */
export function checkNewPassphrase(passphrase: Secret, field = 'passphrase'): void {
  const n = [...passphrase.reveal()].length;
  if (n < MIN_PASSPHRASE_LENGTH) {
    throw new KeelError('WEAK_PASSPHRASE', `is ${n} characters; a vault passphrase needs at least ${MIN_PASSPHRASE_LENGTH}`, { field, hint: 'a few random words make a good one' });
  }
}

/**
 * Create an empty vault at `path` (mode 0600). Refuses an existing file: nothing is overwritten.
 *
 * @example await initVault('keel.vault', new Secret(process.env.KEEL_VAULT_PASSPHRASE!));
 */
export async function initVault(path: string, passphrase: Secret, o: { kdf?: KdfParams } = {}): Promise<void> {
  checkNewPassphrase(passphrase);
  const kdf = checkKdfParams(o.kdf ?? DEFAULT_KDF, 'new vault');
  const key = await deriveVaultKey(passphrase, randomBytes(SALT_BYTES), kdf);
  await withVaultLock(path, () => writeVaultFile(path, sealVault(encodeContents(EMPTY_CONTENTS), key), { exclusive: true }));
}

/**
 * Read and decrypt the vault. Errors (one line each): missing file, readable by others, not a vault, truncated,
 * wrong passphrase, changed or damaged.
 *
 * @example const { contents } = await openVault('keel.vault', passphrase); contents.secrets.get('ALPACA_SECRET')?.value
 */
export async function openVault(path: string, passphrase: Secret): Promise<OpenVault> {
  const { bytes, fingerprint } = await readVaultFile(path);
  const header = readHeader(bytes, path);
  const key = await deriveVaultKey(passphrase, header.salt, header.kdf);
  return { path, key, fingerprint, contents: decodeContents(openSealed(bytes, header, key, path), path) };
}

/**
 * Read the vault again with a key from an earlier `openVault` (no passphrase, no key derivation: cheap enough
 * to follow the file as it changes). A vault re-keyed since (`keel secrets rotate-key`) is a KeelError
 * VAULT_REKEYED: the old key cannot open it, by design.
 */
export async function reopenVault(path: string, key: VaultKey): Promise<OpenVault> {
  const { bytes, fingerprint } = await readVaultFile(path);
  const header = readHeader(bytes, path);
  if (!key.matches(header.salt, header.kdf)) {
    throw new KeelError('VAULT_REKEYED', 'was re-keyed (keel secrets rotate-key) since it was opened', { field: 'vault', value: path, hint: 'restart with the new passphrase' });
  }
  return { path, key, fingerprint, contents: decodeContents(openSealed(bytes, header, key, path), path) };
}

/**
 * Change the vault: read it under the lock, apply `change` to the contents, and write the result atomically
 * under the same key with a fresh nonce. If `change` throws, the file is untouched. Returns the new contents.
 *
 * @example await updateVault('keel.vault', passphrase, (c) => setSecret(c, 'ALPACA_SECRET', value, new Date()));
 */
export async function updateVault(path: string, passphrase: Secret, change: (c: VaultContents) => VaultContents | Promise<VaultContents>): Promise<VaultContents> {
  return withVaultLock(path, async () => {
    const opened = await openVault(path, passphrase);
    const next = await change(opened.contents);
    await writeVaultFile(path, sealVault(encodeContents(next), opened.key));
    return next;
  });
}

/**
 * Re-encrypt the vault under a new passphrase, with a new salt (and the current default KDF parameters, so
 * rotating also upgrades them). Atomic: until the rename, the old file is untouched and opens with the old
 * passphrase; after it, only the new passphrase opens it.
 */
export async function rotateVaultKey(path: string, passphrase: Secret, newPassphrase: Secret, o: { kdf?: KdfParams } = {}): Promise<void> {
  checkNewPassphrase(newPassphrase, 'new passphrase');
  const kdf = checkKdfParams(o.kdf ?? DEFAULT_KDF, 'new vault key');
  await withVaultLock(path, async () => {
    const opened = await openVault(path, passphrase);
    const key = await deriveVaultKey(newPassphrase, randomBytes(SALT_BYTES), kdf);
    await writeVaultFile(path, sealVault(encodeContents(opened.contents), key));
  });
}
