import { inspect } from 'node:util';

/**
 * A string that never prints: every printable form of a `Secret` is `[redacted]`, so a log line, a thrown
 * error's message, `JSON.stringify` of a config or `console.log` of an adapter cannot leak it. Only `reveal()`
 * gives the value, and only code that builds an authentication header or message calls it. Venue credentials,
 * alert channel credentials and everything read from the secrets vault are held in one.
 *
 * @example
 * const s = new Secret('abc'); `${s}` // '[redacted]'; s.reveal() // 'abc'
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: only for the authentication header or message. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** A config value that may be written in the file (a plain string) or come from the vault (a `Secret`). */
export type SecretText = string | Secret;

/**
 * The text of a `SecretText`: for the one place that sends it (a URL to fetch, a header, an SMTP login).
 *
 * @example revealText(new Secret('https://hooks.example/T0')) // 'https://hooks.example/T0'
 */
export function revealText(v: SecretText): string;
export function revealText(v: SecretText | undefined): string | undefined;
export function revealText(v: SecretText | undefined): string | undefined {
  return v instanceof Secret ? v.reveal() : v;
}
