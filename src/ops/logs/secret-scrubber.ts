import { KeelError } from '../../model/index.ts';

/** What a literal secret becomes wherever it appears in a log line (the same word pino's path redaction writes). */
export const REDACTED = '[redacted]';

/**
 * Shortest secret we scrub by value. Replacing a short literal everywhere would mangle ordinary words and the
 * JSON itself ("info", "true"); real API secrets and passwords are far longer.
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * A function that replaces every literal secret in one serialized log line with `[redacted]`.
 *
 * It works on the line pino has already serialized, so it catches a secret wherever it went: a message, a
 * field at any depth, an error's message or stack. In JSON a secret with quotes or backslashes is written
 * escaped, so both the raw and the JSON-escaped spelling are replaced. Empty and undefined entries are
 * skipped, so `secrets: [process.env.APCA_API_SECRET_KEY]` is fine when the variable is unset.
 *
 * @example
 * const scrub = secretScrubber(['s3cr3t-value']);
 * scrub('{"msg":"login with s3cr3t-value"}') // '{"msg":"login with [redacted]"}'
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): (line: string) => string {
  const spellings = new Set<string>();
  for (const s of secrets) {
    if (s === undefined || s === '') continue;
    if (s.length < MIN_SECRET_LENGTH) {
      throw new KeelError('SECRET_TOO_SHORT', `is shorter than ${MIN_SECRET_LENGTH} characters and cannot be scrubbed from logs by value`, {
        field: 'logging secrets', value: `${s.length} characters`, hint: 'use a longer secret, or redact the field by path instead',
      });
    }
    spellings.add(s);
    spellings.add(JSON.stringify(s).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of ordered) if (out.includes(s)) out = out.replaceAll(s, REDACTED);
    return out;
  };
}
