import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeelError } from '../../model/index.ts';
import { checkKdfParams, KEY_CHECK_BYTES, SALT_BYTES, type KdfParams, type VaultKey } from './kdf.ts';

/**
 * The vault file, version 1 (all integers big-endian; docs/security.md has the same table):
 *
 * | offset | bytes | field |
 * | --- | --- | --- |
 * | 0 | 10 | magic `KEELVAULT\n` |
 * | 10 | 2 | format version, 1 |
 * | 12 | 1 | KDF: 1 = argon2id v1.3 |
 * | 13 | 4 | argon2id memory, KiB |
 * | 17 | 4 | argon2id passes |
 * | 21 | 1 | argon2id lanes |
 * | 22 | 16 | salt |
 * | 38 | 1 | cipher: 1 = AES-256-GCM |
 * | 39 | 12 | nonce (random, new on every write) |
 * | 51 | 4 | ciphertext length |
 * | 55 | 16 | key check (HKDF of the argon2id output) |
 * | 71 | n | ciphertext of the contents (JSON, padded to a multiple of 256 bytes) |
 * | 71+n | 16 | GCM tag |
 *
 * The whole header (bytes 0-70) is the AEAD's associated data: changing any byte of the file, header
 * included, fails the tag. The ciphertext length in the header tells a truncated file from a changed one.
 */

export const MAGIC = Buffer.from('KEELVAULT\n', 'latin1');
export const FORMAT_VERSION = 1;
const KDF_ARGON2ID = 1;
const CIPHER_AES_256_GCM = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const HEADER_BYTES = 71;
/** Contents are padded to this, so the file's size tells little about how many secrets it holds or how long they are. */
const PAD_TO = 256;

/** What the header says, before anything is decrypted. */
export interface VaultHeader {
  readonly version: number;
  readonly kdf: KdfParams;
  readonly salt: Buffer;
  readonly nonce: Buffer;
  readonly ciphertextLength: number;
  readonly keyCheck: Buffer;
}

function writeHeader(kdf: KdfParams, salt: Buffer, nonce: Buffer, ciphertextLength: number, keyCheck: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt16BE(FORMAT_VERSION, 10);
  h.writeUInt8(KDF_ARGON2ID, 12);
  h.writeUInt32BE(kdf.memoryKiB, 13);
  h.writeUInt32BE(kdf.timeCost, 17);
  h.writeUInt8(kdf.parallelism, 21);
  salt.copy(h, 22);
  h.writeUInt8(CIPHER_AES_256_GCM, 38);
  nonce.copy(h, 39);
  h.writeUInt32BE(ciphertextLength, 51);
  keyCheck.copy(h, 55);
  return h;
}

/**
 * Read and check a vault file's header; a KeelError naming the file otherwise (not a vault, a newer format,
 * truncated, impossible parameters). Nothing is decrypted yet.
 */
export function readHeader(file: Buffer, path: string): VaultHeader {
  const err = (code: string, msg: string, hint?: string) => new KeelError(code, msg, { field: 'vault', value: path, hint });
  const n = Math.min(file.length, MAGIC.length);
  if (!file.subarray(0, n).equals(MAGIC.subarray(0, n))) {
    throw err('VAULT_NOT_A_VAULT', 'is not a Keel vault (it does not start with KEELVAULT)', 'keel secrets init creates one');
  }
  if (file.length < HEADER_BYTES + TAG_BYTES) {
    throw err('VAULT_TRUNCATED', `is truncated: ${file.length} bytes, shorter than any vault`, 'restore it from a backup');
  }
  const version = file.readUInt16BE(10);
  if (version !== FORMAT_VERSION) {
    throw err('VAULT_VERSION', `is a version ${version} vault; this keel reads version ${FORMAT_VERSION}`, 'use the keel that wrote it');
  }
  if (file.readUInt8(12) !== KDF_ARGON2ID || file.readUInt8(38) !== CIPHER_AES_256_GCM) {
    throw err('VAULT_TAMPERED', 'has been changed or damaged: unknown key derivation or cipher in its header', 'restore it from a backup');
  }
  const kdf: KdfParams = { memoryKiB: file.readUInt32BE(13), timeCost: file.readUInt32BE(17), parallelism: file.readUInt8(21) };
  try {
    checkKdfParams(kdf, `vault ${path}`);
  } catch {
    throw err('VAULT_TAMPERED', 'has been changed or damaged: its key derivation parameters are out of range', 'restore it from a backup');
  }
  const ciphertextLength = file.readUInt32BE(51);
  const expected = HEADER_BYTES + ciphertextLength + TAG_BYTES;
  if (file.length < expected) {
    throw err('VAULT_TRUNCATED', `is truncated: ${file.length} of ${expected} bytes`, 'restore it from a backup');
  }
  if (file.length > expected) {
    throw err('VAULT_TAMPERED', `has been changed or damaged: ${file.length - expected} bytes after its end`, 'restore it from a backup');
  }
  return {
    version, kdf, ciphertextLength,
    salt: Buffer.from(file.subarray(22, 22 + SALT_BYTES)),
    nonce: Buffer.from(file.subarray(39, 39 + NONCE_BYTES)),
    keyCheck: Buffer.from(file.subarray(55, 55 + KEY_CHECK_BYTES)),
  };
}

/**
 * The file bytes for `plaintext` under `key`, with a fresh random nonce. The plaintext is padded with spaces
 * (JSON ignores them) to a multiple of 256 bytes.
 */
export function sealVault(plaintext: string, key: VaultKey): Buffer {
  const body = Buffer.from(plaintext, 'utf8');
  const padded = Buffer.alloc(Math.max(PAD_TO, Math.ceil(body.length / PAD_TO) * PAD_TO), 0x20);
  body.copy(padded);
  const nonce = randomBytes(NONCE_BYTES);
  const header = writeHeader(key.kdf, key.salt, nonce, padded.length, key.check());
  const cipher = createCipheriv('aes-256-gcm', key.bytes(), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
}

/**
 * The plaintext of a vault file whose header was read by `readHeader`. A key that does not check is a wrong
 * passphrase (or a changed header); a failed tag is a changed file. Both are one KeelError naming the file.
 */
export function openSealed(file: Buffer, header: VaultHeader, key: VaultKey, path: string): string {
  if (!key.checks(header.keyCheck)) {
    throw new KeelError('VAULT_WRONG_PASSPHRASE', 'cannot be opened: wrong passphrase (or its header was changed)', { field: 'vault', value: path, hint: 'check KEEL_VAULT_PASSPHRASE or --passphrase-file' });
  }
  const decipher = createDecipheriv('aes-256-gcm', key.bytes(), header.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(file.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(file.subarray(HEADER_BYTES + header.ciphertextLength));
  try {
    const plain = Buffer.concat([decipher.update(file.subarray(HEADER_BYTES, HEADER_BYTES + header.ciphertextLength)), decipher.final()]);
    return plain.toString('utf8');
  } catch {
    throw new KeelError('VAULT_TAMPERED', 'has been changed or damaged since it was written: authentication failed', { field: 'vault', value: path, hint: 'restore it from a backup' });
  }
}
