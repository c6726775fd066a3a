/**
 * A deliberately small CSV reader for market data files: comma-separated, one record per line, LF or CRLF,
 * optional UTF-8 BOM, blank lines skipped (trailing ones are common). Quoted fields (`"1,234"`, `"a ""b"""`)
 * are understood within a line; a quoted field spanning lines is not (market data never needs one).
 * Fields are trimmed, so `" 1.5"` reads as `"1.5"`.
 */

/**
 * Reads a CSV text one record at a time, tracking the 1-based line number of each record so every error
 * can point at the line a user opens in an editor.
 *
 * @example
 * const csv = new CsvReader('Date,Close\n2006-01-02,10.5\n');
 * csv.next(); // ['Date', 'Close'] (csv.line === 1)
 * csv.next(); // ['2006-01-02', '10.5'] (csv.line === 2)
 * csv.next(); // undefined
 */
export class CsvReader {
  readonly #text: string;
  #pos: number;
  #lineCount = 0;
  /** Line number of the record last returned by `next()` (0 before the first). */
  line = 0;

  constructor(text: string) {
    this.#text = text;
    this.#pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // BOM written by Excel and some brokers
  }

  /** The next non-blank record's fields, or undefined at the end of the text. */
  next(): string[] | undefined {
    const text = this.#text;
    while (this.#pos < text.length) {
      let end = text.indexOf('\n', this.#pos);
      if (end < 0) end = text.length;
      let stop = end;
      if (stop > this.#pos && text.charCodeAt(stop - 1) === 13) stop--;
      const raw = text.slice(this.#pos, stop);
      this.#pos = end + 1;
      this.#lineCount++;
      if (raw.length === 0 || raw.trim().length === 0) continue;
      this.line = this.#lineCount;
      return splitCsvLine(raw);
    }
    return undefined;
  }
}

/**
 * Split one CSV line into trimmed fields; double quotes group a field and `""` inside quotes is a quote.
 * An unterminated quote runs to the end of the line (the damaged value then fails its own check loudly).
 *
 * @example
 * splitCsvLine('2006-01-02,"1,234.5", 7 '); // ['2006-01-02', '1,234.5', '7']
 */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) {
    const fields = line.split(',');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.length > 0 && (f.charCodeAt(0) <= 32 || f.charCodeAt(f.length - 1) <= 32)) fields[i] = f.trim();
    }
    return fields;
  }
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && line[i] === ' ') i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) { value += line.slice(i); i = line.length; break; }
        value += line.slice(i, q);
        if (line[q + 1] === '"') { value += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      const comma = line.indexOf(',', i);
      value += line.slice(i, comma < 0 ? line.length : comma); // text after the closing quote, if any
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      value = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    }
    fields.push(value.trim());
    if (i > line.length) return fields;
  }
}
