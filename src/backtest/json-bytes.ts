import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Writes JSON text to a file through one reused byte buffer, for documents too big to build as a string (a
 * 10M-point equity curve is about 800 MB of JSON; V8 strings stop at 512 MB). Lists of numbers and of ISO
 * times are written as the exact bytes `JSON.stringify` and `Date.prototype.toISOString` give: on fast paths
 * for the common values, through those functions otherwise.
 */

const BUFFER_BYTES = 1 << 20;
/** Flush before a list item past this: room for a separator plus the longest number or time. */
const LIST_LIMIT = BUFFER_BYTES - 128;
const DAY_MS = 86_400_000;
const ZERO = 48;

/** Two-digit groups 00..99 as bytes, for times of day. */
const DIGIT_PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) { t[2 * i] = ZERO + Math.floor(i / 10); t[2 * i + 1] = ZERO + (i % 10); }
  return t;
})();

/**
 * @example
 * const out = JsonFileWriter.create('result.json');
 * out.text('{\n  "x": ');
 * out.numberList(Float64Array.of(1.5, 2), 2);
 * out.text('\n}\n');
 * out.close();
 */
export class JsonFileWriter {
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(BUFFER_BYTES);
  #pos = 0;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Create (or truncate) `path` for writing. Errors are the caller's to word. */
  static create(path: string): JsonFileWriter {
    return new JsonFileWriter(openSync(path, 'w'));
  }

  /** JSON text as it is (punctuation, indentation, pre-serialised JSON), UTF-8 encoded. */
  text(text: string): void {
    if (text.length > BUFFER_BYTES >> 2) {
      this.flush();
      writeAll(this.#fd, Buffer.from(text, 'utf8'));
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve that, so pre-serialised JSON may hold any text.
    if (this.#pos + text.length * 3 > BUFFER_BYTES) this.flush();
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
  }

  /**
   * A list of numbers as `JSON.stringify(Array.from(values), null, 2)` writes it nested `depth` levels deep:
   * `[]`, or one number per line (`null` for NaN and ±Infinity).
   */
  numberList(values: Float64Array, depth: number): void {
    const separator = this.#open(values.length, depth);
    if (separator === undefined) return;
    // One loop per kind of item (not a shared loop taking a writer): each stays monomorphic and inlined.
    const buf = this.#buf;
    let p = this.#pos;
    // A curve holds still while flat (half the points of a typical run): repeat the last number's bytes
    // instead of formatting it again. (0 === -0, and both print as 0.)
    const last = new Uint8Array(32);
    let lastValue = NaN;
    let lastLength = 0;
    for (let i = 0; i < values.length; i++) {
      if (p > LIST_LIMIT) { p = this.#drain(p); }
      if (i > 0) for (let k = 0; k < separator.length; k++) buf[p++] = separator[k];
      const x = values[i];
      if (x === lastValue) {
        for (let k = 0; k < lastLength; k++) buf[p++] = last[k];
      } else {
        const start = p;
        p = writeNumber(buf, p, x);
        lastValue = x;
        lastLength = p - start;
        for (let k = 0; k < lastLength; k++) last[k] = buf[start + k];
      }
    }
    this.#pos = p;
    this.#close(depth);
  }

  /** A list of epoch-ms times as JSON strings of `new Date(ms).toISOString()`, laid out as `numberList`. */
  timeList(times: Float64Array, depth: number): void {
    const separator = this.#open(times.length, depth);
    if (separator === undefined) return;
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < times.length; i++) {
      if (p > LIST_LIMIT) { p = this.#drain(p); }
      if (i > 0) for (let k = 0; k < separator.length; k++) buf[p++] = separator[k];
      p = writeIsoTime(buf, p, times[i]);
    }
    this.#pos = p;
    this.#close(depth);
  }

  flush(): void {
    if (this.#pos === 0) return;
    writeAll(this.#fd, this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
  }

  /** Flush and close the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  /** `[]` for an empty list (undefined: no items follow), else its opening and the separator between items. */
  #open(n: number, depth: number): Uint8Array | undefined {
    if (n === 0) { this.text('[]'); return undefined; }
    const itemIndent = ' '.repeat(2 * (depth + 1));
    this.text('[\n' + itemIndent);
    return Buffer.from(',\n' + itemIndent, 'latin1');
  }

  #close(depth: number): void {
    this.text('\n' + ' '.repeat(2 * depth) + ']');
  }

  /** Write out the buffer up to `p`; returns the new position (0). */
  #drain(p: number): number {
    this.#pos = p;
    this.flush();
    return 0;
  }
}

/**
 * `x` as JSON.stringify writes it, at `p`; returns the position after it. Fast path: integers and amounts
 * with up to 3 decimals. Such an x is the double nearest the decimal s/1000 (one correctly rounded
 * division), a decimal of at most 15 digits, and no other decimal that short maps to the same double: so it
 * is exactly the shortest round-trip form Number#toString prints. Anything else goes through String(x).
 */
function writeNumber(buf: Buffer, p: number, x: number): number {
  if (x > -1e12 && x < 1e12) {
    const s = Math.round(x * 1000);
    if (s / 1000 === x) {
      let v = s;
      if (v < 0) { buf[p++] = 45; v = -v; }
      const whole = Math.floor(v / 1000);
      let frac = (v - whole * 1000) | 0; // int32 from here: % on doubles is a call to fmod
      p = writeInteger(buf, p, whole);
      if (frac !== 0) {
        let digits = 3;
        while (frac % 10 === 0) { frac = (frac / 10) | 0; digits--; }
        buf[p++] = 46;
        for (let k = digits - 1; k >= 0; k--) { buf[p + k] = ZERO + (frac % 10); frac = (frac / 10) | 0; }
        p += digits;
      }
      return p;
    }
  }
  // Short ASCII: a JS loop beats a call into the runtime per number.
  const text = Number.isFinite(x) ? String(x) : 'null';
  for (let i = 0; i < text.length; i++) buf[p++] = text.charCodeAt(i);
  return p;
}

/** "YYYY-MM-DDT" of the last day written, and which day it was (times of a curve come in order). */
const dayBytes = new Uint8Array(11);
let lastDay = NaN;

/** `"…"` of `new Date(ms).toISOString()` at `p` (which throws, as it does, for an invalid time). */
function writeIsoTime(buf: Buffer, p: number, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  if (day !== lastDay || !Number.isInteger(ms)) {
    const iso = new Date(ms).toISOString();
    // Years outside 0000-9999 print as ±YYYYYY, and Date drops a fraction of a ms: leave both to it.
    if (iso.length !== 24 || !Number.isInteger(ms)) {
      const quoted = `"${iso}"`;
      for (let i = 0; i < quoted.length; i++) buf[p++] = quoted.charCodeAt(i);
      return p;
    }
    for (let i = 0; i < 11; i++) dayBytes[i] = iso.charCodeAt(i);
    lastDay = day;
  }
  // The ms of the day fit an int32: integer arithmetic from here (% on doubles is a call to fmod).
  let rest = (ms - day * DAY_MS) | 0;
  const h = (rest / 3_600_000) | 0; rest -= h * 3_600_000;
  const m = (rest / 60_000) | 0; rest -= m * 60_000;
  const s = (rest / 1000) | 0;
  const milli = rest - s * 1000;
  buf[p++] = 34;
  for (let i = 0; i < 11; i++) buf[p++] = dayBytes[i];
  buf[p++] = DIGIT_PAIRS[2 * h]; buf[p++] = DIGIT_PAIRS[2 * h + 1]; buf[p++] = 58;
  buf[p++] = DIGIT_PAIRS[2 * m]; buf[p++] = DIGIT_PAIRS[2 * m + 1]; buf[p++] = 58;
  buf[p++] = DIGIT_PAIRS[2 * s]; buf[p++] = DIGIT_PAIRS[2 * s + 1]; buf[p++] = 46;
  buf[p++] = ZERO + ((milli / 100) | 0); buf[p++] = ZERO + (((milli / 10) | 0) % 10); buf[p++] = ZERO + (milli % 10);
  buf[p++] = 90; buf[p++] = 34;
  return p;
}

/** Decimal digits of a non-negative integer below 2^53 at `pos`; returns the position after them. */
function writeInteger(buf: Buffer, pos: number, v: number): number {
  if (v < 10) { buf[pos] = ZERO + v; return pos + 1; }
  let digits = 1;
  for (let t = 10; t <= v && digits < 16; t *= 10) digits++;
  if (v < 2 ** 31) {
    let w = v | 0; // int32 arithmetic for the common case
    for (let k = digits - 1; k >= 0; k--) { const q = (w / 10) | 0; buf[pos + k] = ZERO + (w - q * 10); w = q; }
    return pos + digits;
  }
  for (let k = digits - 1; k >= 0; k--) {
    const q = Math.floor(v / 10); // exact below 2^53; v - 10q avoids % on a double (fmod)
    buf[pos + k] = ZERO + (v - q * 10);
    v = q;
  }
  return pos + digits;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}
