/**
 * Errors a user can cause (bad config, bad data, bad CLI input). Each carries a stable code, the field and
 * the offending value, and prints as one clear line. Bugs are plain `Error`s and should crash loudly.
 *
 * @example
 * throw new KeelError('BAD_NUMBER', 'is not a number', { field: '--cash', value: 'abc', hint: 'use e.g. --cash 100000' });
 */
export class KeelError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly hint: string | undefined;
  /** The message without field, value and hint (to re-point an error at another field). */
  readonly reason: string;

  constructor(code: string, message: string, details: { field?: string; value?: unknown; hint?: string } = {}) {
    super(formatKeelMessage(message, details));
    this.name = 'KeelError';
    this.code = code;
    this.reason = message;
    this.field = details.field;
    this.value = details.value;
    this.hint = details.hint;
  }
}

function formatKeelMessage(message: string, d: { field?: string; value?: unknown; hint?: string }): string {
  let head = message;
  if (d.field !== undefined) {
    head = d.value !== undefined ? `${d.field} = ${showValue(d.value)}: ${message}` : `${d.field}: ${message}`;
  }
  return d.hint ? `${head} (${d.hint})` : head;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 77) + '...' : v);
  return String(v);
}

/** Exhaustiveness guard for `switch` over discriminated unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
