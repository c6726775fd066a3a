import { randomBytes } from 'node:crypto';
import { generateSync, generateURI, verifySync } from 'otplib';
import { KeelError } from '../../model/index.ts';

/**
 * Time-based one-time passwords (RFC 6238), through otplib: SHA-1, 6 digits, 30-second steps, which is what
 * every authenticator app (Google Authenticator, 1Password, Authy, FreeOTP) reads from an otpauth:// URI.
 * Seeds are 160 random bits (RFC 4226's recommendation), kept base32 in the vault.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** Codes one step early or late are accepted: a phone's clock drifts, and a code typed at :29 arrives at :31. */
export const TOTP_WINDOW_STEPS = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (what authenticator apps expect). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/** A new random seed, base32. */
export function newTotpSecret(): string {
  return base32(randomBytes(20));
}

/**
 * The otpauth:// URI an authenticator app scans: `otpauth://totp/Keel:alice?secret=…&issuer=Keel`.
 *
 * @example totpUri('alice', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
 */
export function totpUri(user: string, secret: string, issuer = 'Keel'): string {
  return generateURI({ issuer, label: user, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** Options for codes other than the app default (RFC 6238's test vectors use 8 digits and SHA-256/512 too). */
export interface TotpVariant {
  readonly digits?: 6 | 7 | 8;
  readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
}

/** The code for `atMs` (base32 seed, or raw seed bytes). @example totpCode(secret, Date.now()) // '492039' */
export function totpCode(secret: string | Uint8Array, atMs: number, v: TotpVariant = {}): string {
  return generateSync({ secret, epoch: Math.floor(atMs / 1000), period: TOTP_PERIOD_SECONDS, digits: v.digits ?? TOTP_DIGITS, algorithm: v.algorithm ?? 'sha1' });
}

/** The 30-second step a time falls in (RFC 6238's T). */
export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The step `code` was made for, if it is valid within ±1 step of `atMs` and made for a step after
 * `afterStep` (the last step this user already used: RFC 6238 §5.2 forbids accepting a code twice); else
 * undefined. The comparison is constant-time (otplib).
 */
export function matchTotp(secret: string | Uint8Array, code: string, atMs: number, o: TotpVariant & { afterStep?: number } = {}): number | undefined {
  const digits = o.digits ?? TOTP_DIGITS;
  if (code.length !== digits || !/^\d+$/.test(code)) return undefined;
  try {
    const r = verifySync({
      secret, token: code, epoch: Math.floor(atMs / 1000), period: TOTP_PERIOD_SECONDS, digits, algorithm: o.algorithm ?? 'sha1',
      epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS, afterTimeStep: o.afterStep,
    });
    return r.valid && 'timeStep' in r ? r.timeStep : undefined;
  } catch (e) {
    // A seed that is not base32 is a damaged record, not a wrong code: say so.
    throw new KeelError('BAD_TOTP_SECRET', `cannot be used: ${(e as Error).message}`, { field: 'totp secret' });
  }
}
