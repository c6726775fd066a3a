/**
 * The venue protocol's framing: one JSON object per line (newline-delimited JSON). Money is a bigint, which
 * JSON cannot carry; it travels as `{"$n":"123"}` so an amount of 10^-12 units is never rounded through a
 * float (model/json.ts, the journal's convention too).
 */
import { fromJson, toJson } from '../../model/index.ts';

/** One message as a line of JSON, newline included. @example encodeLine({ cash: 5n }) // '{"cash":{"$n":"5"}}\n' */
export function encodeLine(message: unknown): string {
  return toJson(message) + '\n';
}

/** One line back into a value, `{"$n": "…"}` into a bigint. Throws a SyntaxError on malformed JSON. */
export function decodeLine(line: string): unknown {
  return fromJson(line);
}

/**
 * Splits a byte stream into lines. TCP delivers arbitrary chunks: a message can arrive in pieces or several
 * in one chunk, so partial lines are kept until their newline arrives.
 */
export class LineSplitter {
  private rest = '';

  /** Feed a chunk; returns the complete lines it finished (without newlines, empty lines skipped). */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.filter((l) => l.length > 0);
  }
}
