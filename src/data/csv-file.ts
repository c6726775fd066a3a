import { closeSync, fstatSync, readSync } from 'node:fs';
import { splitCsvLine } from './csv.ts';

/**
 * A CSV file read line by line as bytes, in chunks, so a file of any size is parsed without holding it (or a
 * string of it: V8 strings stop at 2^29 characters, about 60 million bars short of what intraday files reach)
 * in memory. Lines and line numbers follow `CsvReader` exactly (LF or CRLF, a UTF-8 BOM skipped, blank lines
 * skipped but counted), so the fast byte path and the string path report the same lines.
 */

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 10;
const CR = 13;

/**
 * @example
 * const csv = new CsvFileReader(fd);
 * const header = csv.nextFields(); // ['Date', 'Open', ...], csv.line === 1
 * while (csv.nextLine()) parse(csv.bytes, csv.start, csv.end, csv.line);
 * csv.close();
 */
export class CsvFileReader {
  /** Bytes of the current line are `bytes[start, end)`, without the line break. */
  bytes: Buffer;
  start = 0;
  end = 0;
  /** 1-based line number of the current line (0 before the first). */
  line = 0;
  /** Size of the file in bytes, for sizing what is read from it. */
  readonly size: number;
  readonly #fd: number;
  #filled = 0;
  #pos = 0;
  #eof = false;
  #lineCount = 0;

  constructor(fd: number) {
    this.#fd = fd;
    this.size = fstatSync(fd).size;
    this.bytes = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(this.size, 1)));
    this.#fill();
    const b = this.bytes;
    if (this.#filled >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.#pos = 3; // BOM from Excel and brokers
  }

  /** Close a descriptor whose reader could not be made (the first read failed). */
  static closeQuietly(fd: number): void {
    try { closeSync(fd); } catch { /* already failing: keep the first error */ }
  }

  /** Advance to the next line that is not empty; false at the end of the file. Whitespace-only lines are returned. */
  nextLine(): boolean {
    for (;;) {
      let nl = this.#pos < this.#filled ? this.bytes.indexOf(NEWLINE, this.#pos) : -1;
      if (nl >= this.#filled) nl = -1; // past the filled part: stale bytes of an earlier chunk
      if (nl < 0 && !this.#eof) {
        this.#refill();
        continue;
      }
      if (nl < 0 && this.#pos >= this.#filled) return false;
      const lineEnd = nl < 0 ? this.#filled : nl;
      let stop = lineEnd;
      if (stop > this.#pos && this.bytes[stop - 1] === CR) stop--;
      this.start = this.#pos;
      this.end = stop;
      this.#pos = lineEnd + 1;
      this.#lineCount++;
      if (stop === this.start) continue;
      this.line = this.#lineCount;
      return true;
    }
  }

  /** The current line as a string (UTF-8, as the whole file would decode). */
  text(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }

  /** Like `CsvReader.next()`: the next non-blank record's fields, or undefined at the end. */
  nextFields(): string[] | undefined {
    while (this.nextLine()) {
      const raw = this.text();
      if (raw.trim().length > 0) return splitCsvLine(raw);
    }
    return undefined;
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** Keep the unread tail, then read more after it (growing the buffer when one line fills it). */
  #refill(): void {
    const rest = this.#filled - this.#pos;
    if (this.#pos === 0 && rest === this.bytes.length) {
      const bigger = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(bigger, 0, 0, rest);
      this.bytes = bigger;
    } else if (rest > 0) {
      this.bytes.copyWithin(0, this.#pos, this.#filled);
    }
    this.#filled = rest;
    this.#pos = 0;
    this.#fill();
  }

  #fill(): void {
    while (this.#filled < this.bytes.length) {
      const n = readSync(this.#fd, this.bytes, this.#filled, this.bytes.length - this.#filled, null);
      if (n === 0) { this.#eof = true; return; }
      this.#filled += n;
    }
  }
}
