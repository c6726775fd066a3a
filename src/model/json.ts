/**
 * JSON that carries Money: bigints travel as `{"$n":"123"}`, so an amount of 10^-12 units is never rounded
 * through a float. Used by the venue protocol and the journal alike.
 */

/** @example toJson({ cash: 5n }) // '{"cash":{"$n":"5"}}' */
export function toJson(value: unknown): string {
  return JSON.stringify(value, bigintReplacer);
}

/** Parse JSON, turning `{"$n": "…"}` back into a bigint. Throws a SyntaxError on malformed JSON. */
export function fromJson(text: string): unknown {
  return JSON.parse(text, bigintReviver);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { $n: value.toString() } : value;
}

function bigintReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const n = (value as { $n?: unknown }).$n;
    if (typeof n === 'string' && Object.keys(value).length === 1 && /^-?\d+$/.test(n)) return BigInt(n);
  }
  return value;
}
