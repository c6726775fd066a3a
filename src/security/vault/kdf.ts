import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { hashRaw, type Algorithm } from '@node-rs/argon2';
import { inspect } from 'node:util';
import { KeelError, type Secret } from '../../model/index.ts';

/**
 * Key derivation for the vault: argon2id (RFC 9106) from the passphrase and the file's salt, then HKDF-SHA256
 * splits its output into the AES-256-GCM key and a key-check value. The check value sits in the header, so a
 * wrong passphrase is told apart from a changed file (both would otherwise be "authentication failed"); it
 * lets an attacker test a guess no faster than the GCM tag already does, one argon2id per guess.
 */
export interface KdfParams {
  /** argon2id memory in KiB. */
  readonly memoryKiB: number;
  /** argon2id passes over the memory. */
  readonly timeCost: number;
  /** argon2id lanes. */
  readonly parallelism: number;
}

/** RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): about 0.1-0.3 s on a laptop core. */
export const DEFAULT_KDF: KdfParams = Object.freeze({ memoryKiB: 65_536, timeCost: 3, parallelism: 4 });

/**
 * What a vault header may ask for. The header is authenticated only after the key is derived, so a changed
 * header must not make us allocate gigabytes or spin for minutes first; the floor keeps a weak vault from
 * being written or accepted (tests use the floor to stay fast).
 */
export const KDF_LIMITS = Object.freeze({
  memoryKiB: { min: 8_192, max: 1_048_576 },
  timeCost: { min: 1, max: 32 },
  parallelism: { min: 1, max: 16 },
});

/** `Algorithm.Argon2id`: the package declares its enum `const`, which type stripping cannot inline. */
export const ARGON2ID = 2 as Algorithm;

export const SALT_BYTES = 16;
export const KEY_CHECK_BYTES = 16;

/** The derived AES key: never printed, never serialised. */
export class VaultKey {
  readonly #key: Buffer;
  readonly #check: Buffer;
  /** The salt and parameters it was derived with (a re-keyed file no longer matches). */
  readonly salt: Buffer;
  readonly kdf: KdfParams;

  constructor(key: Buffer, check: Buffer, salt: Buffer, kdf: KdfParams) {
    this.#key = key;
    this.#check = check;
    this.salt = Buffer.from(salt);
    this.kdf = kdf;
  }

  /** The AES-256-GCM key bytes (for the cipher only). */
  bytes(): Buffer {
    return this.#key;
  }

  /** The key-check value written in the header. */
  check(): Buffer {
    return this.#check;
  }

  /** Whether `check` (from a header) was made by this key, in constant time. */
  checks(check: Buffer): boolean {
    return check.length === this.#check.length && timingSafeEqual(check, this.#check);
  }

  /** Whether a header with this salt and these parameters is under this key. */
  matches(salt: Buffer, kdf: KdfParams): boolean {
    return this.salt.equals(salt) && sameKdf(this.kdf, kdf);
  }

  toJSON(): string {
    return '[vault key]';
  }

  [inspect.custom](): string {
    return '[vault key]';
  }
}

export function sameKdf(a: KdfParams, b: KdfParams): boolean {
  return a.memoryKiB === b.memoryKiB && a.timeCost === b.timeCost && a.parallelism === b.parallelism;
}

/** A KeelError naming the first parameter outside KDF_LIMITS (`field` says where it came from). */
export function checkKdfParams(p: KdfParams, field: string): KdfParams {
  for (const k of ['memoryKiB', 'timeCost', 'parallelism'] as const) {
    const v = p[k];
    const { min, max } = KDF_LIMITS[k];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new KeelError('VAULT_BAD_KDF', `must be a whole number from ${min} to ${max}`, { field: `${field} kdf.${k}`, value: v });
    }
  }
  return p;
}

/**
 * Derive the vault key. The passphrase is NFC-normalised first, so the same words typed on two keyboards
 * (composed or decomposed accents) open the same vault.
 *
 * @example const key = await deriveVaultKey(new Secret('correct horse battery staple'), randomBytes(16), DEFAULT_KDF);
 */
export async function deriveVaultKey(passphrase: Secret, salt: Buffer, kdf: KdfParams): Promise<VaultKey> {
  const master = Buffer.from(await hashRaw(passphrase.reveal().normalize('NFC'), {
    algorithm: ARGON2ID, memoryCost: kdf.memoryKiB, timeCost: kdf.timeCost, parallelism: kdf.parallelism, outputLen: 32, salt,
  }));
  const key = Buffer.from(hkdfSync('sha256', master, salt, 'keel vault v1: aes-256-gcm key', 32));
  const check = Buffer.from(hkdfSync('sha256', master, salt, 'keel vault v1: key check', KEY_CHECK_BYTES));
  master.fill(0);
  return new VaultKey(key, check, salt, kdf);
}
