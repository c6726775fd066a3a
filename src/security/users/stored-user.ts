import * as z from 'zod';
import { ROLES } from './roles.ts';

/**
 * A user as the vault stores it (inside the encrypted contents, in its own namespace beside the secrets).
 * Nothing here is a password or a token: the password is an argon2id hash (PHC string), each API token a
 * SHA-256 of the token (tokens are 256 random bits, so a fast hash is enough). The TOTP seed is the one
 * plain secret, which is why users live in the vault and not in a config file.
 */
export interface StoredUser {
  readonly name: string;
  readonly roles: readonly (typeof ROLES)[number][];
  /** argon2id PHC string (`$argon2id$v=19$m=…`). */
  readonly passwordHash: string;
  /** RFC 6238 seed, base32 (what the authenticator app was given). */
  readonly totpSecret: string;
  readonly tokens: readonly StoredToken[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The last TOTP step a `keel users` step-up accepted for this seed (a code works once, across processes too). */
  readonly lastTotpStep?: number;
}

/** An API token's record: its public id, a label for people, the hash, and when it was revoked if it was. */
export interface StoredToken {
  readonly id: string;
  readonly label: string;
  /** SHA-256 of the whole token text, hex. */
  readonly sha256: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

const iso = z.string().min(1);

export const storedUserSchema = z.object({
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  passwordHash: z.string().startsWith('$argon2id$'),
  totpSecret: z.string().regex(/^[A-Z2-7]+=*$/),
  tokens: z.array(z.object({
    id: z.string().min(1), label: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), createdAt: iso, revokedAt: iso.optional(),
  })),
  createdAt: iso,
  updatedAt: iso,
  lastTotpStep: z.number().int().nonnegative().optional(),
});
