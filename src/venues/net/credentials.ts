import * as z from 'zod';
import { KeelError, Secret } from '../../model/index.ts';

/**
 * API credentials. A secret sits in a `Secret`, whose every printable form is `[redacted]`: a log line, a
 * thrown error's message, `JSON.stringify` of a config or `console.log` of an adapter cannot leak it. Only
 * `reveal()` gives the value, and only code that builds an authentication header or message calls it.
 */

const REDACTED = '[redacted]';

// The class lives in model/ (alert channels and the vault use it too); re-exported here for the adapters.
export { Secret };

/**
 * A credential in an adapter's config schema: text, or a `Secret` (a `secret:NAME` reference the run config
 * resolved from the vault). A wrong type reads as it did when only text was allowed.
 */
export const credentialField = z.union([z.string().min(1), z.instanceof(Secret)], {
  error: (iss) => (iss.code === 'invalid_union' ? `Invalid input: expected string, received ${Array.isArray(iss.input) ? 'array' : iss.input === null ? 'null' : typeof iss.input}` : undefined),
});

/** A key id (public, names the account) and its secret. */
export interface Credentials {
  readonly keyId: string;
  readonly secret: Secret;
}

export interface CredentialSource {
  /** From configuration (or the vault); wins over the environment. */
  readonly keyId?: string | Secret;
  readonly secret?: string | Secret;
  /** Environment variable names, e.g. APCA_API_KEY_ID / APCA_API_SECRET_KEY. */
  readonly keyIdEnv: string;
  readonly secretEnv: string;
  /** Where the environment comes from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** For the error message: "alpaca". */
  readonly venue: string;
}

/**
 * Credentials from configuration, else from the environment; a KeelError naming the missing field otherwise
 * (never the value of the other one).
 *
 * @example loadCredentials({ keyIdEnv: 'APCA_API_KEY_ID', secretEnv: 'APCA_API_SECRET_KEY', venue: 'alpaca' })
 */
export function loadCredentials(s: CredentialSource): Credentials {
  const env = s.env ?? process.env;
  const keyId = nonEmpty(s.keyId instanceof Secret ? s.keyId.reveal() : s.keyId) ?? nonEmpty(env[s.keyIdEnv]);
  const secretValue = s.secret instanceof Secret ? s.secret.reveal() : nonEmpty(s.secret) ?? nonEmpty(env[s.secretEnv]);
  if (keyId === undefined) {
    throw new KeelError('MISSING_CREDENTIALS', `no API key id for ${s.venue}`, { field: `${s.venue}.keyId`, hint: `set it in the config or the ${s.keyIdEnv} environment variable` });
  }
  if (secretValue === undefined) {
    throw new KeelError('MISSING_CREDENTIALS', `no API secret for ${s.venue}`, { field: `${s.venue}.secret`, hint: `set it in the config or the ${s.secretEnv} environment variable` });
  }
  return { keyId, secret: new Secret(secretValue) };
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`: for text that came from outside
 * (a venue's error body may echo a header) before it goes into an error or a log.
 *
 * @example redact('bad key abc', [new Secret('abc')]) // 'bad key [redacted]'
 */
export function redact(text: string, secrets: ReadonlyArray<Secret | string>): string {
  let out = text;
  for (const s of secrets) {
    const v = typeof s === 'string' ? s : s.reveal();
    // Short values would redact half the text (and tell what they were by the gaps); real secrets are long.
    if (v.length >= 4) out = out.split(v).join(REDACTED);
  }
  return out;
}
