/**
 * Fields redacted by path in every Keel log line (pino `redact`, censor `[redacted]`), at the top level and
 * one or two levels down (`{ config: { venue: { secret } } }`). Deeper fields are caught only when the value
 * is also listed in `secrets` (scrubbed by value).
 *
 * Not redacted on purpose: API key ids (`keyId`, `APCA-API-KEY-ID`). A key id names the key, like a user
 * name; it cannot authenticate without its secret, and operators need it in logs to tell which key a venue
 * refused or rate-limited.
 */
const SECRET_FIELDS = ['secret', 'password', 'passphrase', 'token', 'apiKey', 'apiSecret', 'secretKey', 'privateKey', 'accessToken', 'refreshToken'];

/** Headers that carry credentials (Node lowercases incoming header names; outgoing ones keep their spelling). */
const SECRET_HEADERS = ['authorization', 'Authorization', 'cookie', 'APCA-API-SECRET-KEY', 'apca-api-secret-key'];

function paths(): string[] {
  const out: string[] = [];
  for (const f of SECRET_FIELDS) out.push(f, `*.${f}`, `*.*.${f}`);
  for (const h of SECRET_HEADERS) {
    const key = `headers[${JSON.stringify(h)}]`;
    out.push(key, `*.${key}`);
  }
  return out;
}

export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze(paths());
