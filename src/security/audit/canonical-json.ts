import { KeelError } from '../../model/index.ts';

/**
 * The canonical JSON the audit chain hashes (docs/security.md, "Chain format"): one text per value, so the
 * same record hashes the same on every machine, in every database, after every backup and restore.
 *
 * - Objects: keys sorted by their code units (keys are limited to ASCII `[A-Za-z_][A-Za-z0-9_.-]*`, so this is
 *   also byte order), no whitespace anywhere.
 * - Strings: `JSON.stringify`'s escaping (ECMA-262: `\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00xx`
 *   in lower-case hex, everything else as itself), UTF-8 encoded for hashing. Strings must be well-formed
 *   Unicode (no lone surrogates) without NUL: both databases would otherwise store something else.
 * - Numbers: safe integers only (|n| < 2^53), written in decimal. No floats, no NaN, no -0: a float's text is
 *   not the same in every language, and amounts are exact decimal strings in Keel anyway.
 * - `true`, `false`, `null`, arrays. Nothing else (no undefined, bigint, Date, Map).
 */

/** A value an audit record's details may hold. */
export type AuditValue = string | number | boolean | null | readonly AuditValue[] | { readonly [key: string]: AuditValue };

/** How big one record's details may be (canonical bytes): a record is a small fact, not a payload. */
export const MAX_DETAILS_BYTES = 4096;
const MAX_DEPTH = 8;
// In unicode mode a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * The canonical text of `value`, or a KeelError BAD_AUDIT_EVENT naming the first part that cannot be
 * canonical (`field` is the path to it, e.g. `details.limits[2]`).
 *
 * @example canonicalJson({ b: 1, a: ['x', true] }) // '{"a":["x",true],"b":1}'
 */
export function canonicalJson(value: unknown, field = 'value'): string {
  return encode(value, field, 0);
}

/**
 * A string field of a record: well-formed, no NUL, at most `max` characters.
 *
 * @example checkText('alice', 'actor', 200) // 'alice'
 */
export function checkText(s: unknown, field: string, max: number): string {
  if (typeof s !== 'string') throw bad(field, 'must be a string', s);
  if (s.length > max) throw bad(field, `must be at most ${max} characters`, s);
  if (LONE_SURROGATE.test(s)) throw bad(field, 'must be well-formed Unicode (it holds a lone surrogate)', s);
  if (s.includes('\u0000')) throw bad(field, 'must not contain NUL characters', s);
  return s;
}

function encode(v: unknown, field: string, depth: number): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(v)) throw bad(field, 'must be a safe integer: audit records hold no floats (write amounts as decimal strings)', v);
      return String(v); // -0 prints as 0
    case 'string': return JSON.stringify(checkText(v, field, MAX_DETAILS_BYTES));
    case 'object': break;
    default: throw bad(field, `cannot be recorded (${typeof v})`, String(v));
  }
  if (depth >= MAX_DEPTH) throw bad(field, `nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return `[${v.map((x, i) => encode(x, `${field}[${i}]`, depth + 1)).join(',')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw bad(field, `must be a plain object, not a ${(v as object).constructor?.name ?? 'class instance'}`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  const parts: string[] = [];
  for (const k of keys) {
    if (!KEY.test(k)) throw bad(`${field}.${k}`, 'is not a usable key: use letters, digits, _ . - (at most 64, not starting with a digit)');
    if (o[k] === undefined) throw bad(`${field}.${k}`, 'is undefined: leave the key out, or record null');
    parts.push(`${JSON.stringify(k)}:${encode(o[k], `${field}.${k}`, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}

function bad(field: string, why: string, value?: unknown): KeelError {
  return new KeelError('BAD_AUDIT_EVENT', why, { field, value });
}
