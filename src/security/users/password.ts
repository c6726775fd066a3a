import { hash, verify } from '@node-rs/argon2';
import { KeelError, type Secret } from '../../model/index.ts';
import { ARGON2ID } from '../vault/kdf.ts';

/**
 * Users' passwords, hashed with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane: tens of
 * milliseconds, affordable per login, expensive per guess) into a PHC string that carries its own salt and
 * parameters. Verification compares in constant time (the argon2 crate's own check).
 */
export const PASSWORD_HASH = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export const MIN_PASSWORD_LENGTH = 12;

/** A KeelError if `password` is too short to be a login password. */
export function checkNewPassword(password: Secret, field = 'password'): void {
  const n = [...password.reveal()].length;
  if (n < MIN_PASSWORD_LENGTH) throw new KeelError('WEAK_PASSWORD', `is ${n} characters; a password needs at least ${MIN_PASSWORD_LENGTH}`, { field });
}

/** The argon2id PHC string of a password (NFC-normalised, as typed on any keyboard). */
export async function hashPassword(password: Secret): Promise<string> {
  return hash(password.reveal().normalize('NFC'), { algorithm: ARGON2ID, ...PASSWORD_HASH });
}

/** Whether `password` matches the PHC string `phc`; false (never a throw) for a malformed hash. */
export async function passwordMatches(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password.normalize('NFC'));
  } catch {
    return false;
  }
}
