import { createHash, randomBytes } from 'node:crypto';
import { Secret } from '../../model/index.ts';

/**
 * API tokens: `keel_<id>_<secret>`, where the id is 64 random bits (public: listed, logged, used to revoke)
 * and the secret 256 random bits, both hex. Only the SHA-256 of the whole text is stored; a token this random
 * needs no slow hash (there is no dictionary to try), and a fast one lets every API request be checked.
 * The prefix makes a leaked token easy to recognise (secret scanners, log greps).
 */
export const TOKEN_PREFIX = 'keel_';
const TOKEN_PATTERN = /^keel_([0-9a-f]{16})_[0-9a-f]{64}$/;

/** A new token: its text (shown once, never stored), id and hash. */
export function newApiToken(): { token: Secret; id: string; sha256: string } {
  const id = randomBytes(8).toString('hex');
  const text = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('hex')}`;
  return { token: new Secret(text), id, sha256: tokenDigest(text).toString('hex') };
}

/** The id of a well-formed token text, else undefined. @example apiTokenId('keel_0123456789abcdef_…') // '0123456789abcdef' */
export function apiTokenId(text: string): string | undefined {
  return TOKEN_PATTERN.exec(text)?.[1];
}

/** SHA-256 of a token's text. */
export function tokenDigest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
