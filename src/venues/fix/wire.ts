/**
 * FIX tag=value framing (FIX 4.2 and 4.4): a message is `8=BeginString|9=BodyLength|35=MsgType|…|10=CheckSum|`
 * with SOH (0x01) as the separator. BodyLength counts the bytes after `9=…|` up to `10=`; CheckSum is the sum of
 * every byte before `10=` modulo 256, three digits. That is all the framing FIX has, which is why Keel writes it
 * itself (docs/fix.md, "Why a session layer of our own").
 *
 * Values stay strings: prices and quantities are parsed exactly by the mapping (never through a float).
 */

export const SOH = '\x01';

/** One field: tag and value, in message order (repeating groups keep their order). */
export type FixField = readonly [tag: number, value: string];

/** A parsed message: its fields in order, and a first-occurrence lookup. */
export interface FixMessage {
  readonly fields: readonly FixField[];
  /** The first value of `tag`, or undefined. */
  get(tag: number): string | undefined;
  readonly msgType: string;
  readonly seqNum: number;
  /** The message as received (for the resend store and the log, which redacts it). */
  readonly raw: string;
}

/** Tags whose values are credentials: never logged, never stored (Password 554, RawData 96, NewPassword 925). */
export const SECRET_TAGS: ReadonlySet<number> = new Set([554, 96, 925]);

/**
 * Build a message: header fields first (35, 49, 56, 34, 52 given by the caller in that order), BodyLength and
 * CheckSum computed here. Values may not hold SOH.
 *
 * @example encodeFix('FIX.4.2', [[35, '0'], [49, 'KEEL'], [56, 'EXEC'], [34, '2'], [52, '20261122-03:54:13.506']])
 */
export function encodeFix(beginString: string, fields: readonly FixField[]): string {
  let body = '';
  for (const [tag, value] of fields) {
    if (value.includes(SOH)) throw new Error(`FIX tag ${tag} holds a SOH character`);
    body += `${tag}=${value}${SOH}`;
  }
  const head = `8=${beginString}${SOH}9=${Buffer.byteLength(body, 'latin1')}${SOH}`;
  const sum = checksum(head + body);
  return `${head}${body}10=${sum}${SOH}`;
}

/** The three-digit CheckSum of `text` (latin1 bytes). */
export function checksum(text: string): string {
  let s = 0;
  for (let i = 0; i < text.length; i++) s = (s + (text.charCodeAt(i) & 0xff)) & 0xff;
  return String(s).padStart(3, '0');
}

/** Parse one complete message (as the framer hands it over); throws with the reason when it is malformed. */
export function parseFix(raw: string): FixMessage {
  const fields: FixField[] = [];
  const parts = raw.split(SOH);
  if (parts[parts.length - 1] === '') parts.pop();
  for (const p of parts) {
    const eq = p.indexOf('=');
    const tag = Number(p.slice(0, eq));
    if (eq <= 0 || !Number.isInteger(tag)) throw new Error(`malformed FIX field "${redactField(p)}"`);
    fields.push([tag, p.slice(eq + 1)]);
  }
  const first = new Map<number, string>();
  for (const [t, v] of fields) if (!first.has(t)) first.set(t, v);
  const seq = Number(first.get(34));
  return { fields, get: (t) => first.get(t), msgType: first.get(35) ?? '', seqNum: Number.isInteger(seq) ? seq : 0, raw };
}

function redactField(p: string): string {
  const eq = p.indexOf('=');
  return SECRET_TAGS.has(Number(p.slice(0, eq))) ? `${p.slice(0, eq)}=[redacted]` : p.slice(0, 40);
}

/**
 * A message in a printable form for logs: `|` for SOH, credential tags' values as `[redacted]`.
 *
 * @example printable('8=FIX.4.4\x0135=A\x01554=hunter2\x01') // '8=FIX.4.4|35=A|554=[redacted]|'
 */
export function printable(raw: string): string {
  return raw.split(SOH).map((p) => {
    const eq = p.indexOf('=');
    return eq > 0 && SECRET_TAGS.has(Number(p.slice(0, eq))) ? `${p.slice(0, eq)}=[redacted]` : p;
  }).join('|');
}

/**
 * Cuts a TCP byte stream into FIX messages, checking BodyLength and CheckSum. A message that fails either is
 * reported through `onGarbled` and skipped (FIX says: ignore it; the sequence gap then asks for a resend).
 */
export class FixFramer {
  private buf = '';
  private readonly onMessage: (m: FixMessage) => void;
  private readonly onGarbled: (why: string) => void;

  constructor(onMessage: (m: FixMessage) => void, onGarbled: (why: string) => void) {
    this.onMessage = onMessage;
    this.onGarbled = onGarbled;
  }

  push(chunk: Buffer): void {
    this.buf += chunk.toString('latin1');
    for (;;) {
      const start = this.buf.indexOf('8=FIX');
      if (start < 0) { this.buf = this.buf.slice(-8); return; }
      if (start > 0) this.buf = this.buf.slice(start);
      const lenAt = this.buf.indexOf(`${SOH}9=`);
      if (lenAt < 0) return;
      const lenEnd = this.buf.indexOf(SOH, lenAt + 3);
      if (lenEnd < 0) return;
      const bodyLength = Number(this.buf.slice(lenAt + 3, lenEnd));
      if (!Number.isInteger(bodyLength) || bodyLength < 0) {
        this.onGarbled(`bad BodyLength "${this.buf.slice(lenAt + 3, lenEnd)}"`);
        this.buf = this.buf.slice(1);
        continue;
      }
      const trailerAt = lenEnd + 1 + bodyLength;
      const end = trailerAt + 7; // "10=NNN" + SOH
      // A trailer followed by the next message before the claimed end: the BodyLength is wrong; resync there
      // rather than wait for bytes that belong to later messages.
      const next = this.buf.slice(0, Math.min(end, this.buf.length)).search(/\x0110=\d{3}\x018=FIX/);
      if (next >= 0 && next + 1 < trailerAt) {
        this.onGarbled(`BodyLength ${bodyLength} runs past the message's CheckSum`);
        this.buf = this.buf.slice(next + 8);
        continue;
      }
      if (this.buf.length < end) return;
      const trailer = this.buf.slice(trailerAt, end);
      if (!/^10=\d{3}\x01$/.test(trailer)) {
        this.onGarbled(`BodyLength ${bodyLength} does not end at the CheckSum`);
        this.buf = this.buf.slice(1);
        continue;
      }
      const raw = this.buf.slice(0, end);
      this.buf = this.buf.slice(end);
      const expected = checksum(raw.slice(0, trailerAt));
      if (trailer.slice(3, 6) !== expected) {
        this.onGarbled(`CheckSum ${trailer.slice(3, 6)} should be ${expected}`);
        continue;
      }
      let m: FixMessage;
      try {
        m = parseFix(raw);
      } catch (e) {
        this.onGarbled((e as Error).message);
        continue;
      }
      this.onMessage(m);
    }
  }
}

/** FIX UTCTimestamp with milliseconds: 20261122-03:54:13.506. */
export function fixTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** A FIX UTCTimestamp (with or without fractions) → epoch ms; undefined when it is not one. */
export function parseFixTime(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}
