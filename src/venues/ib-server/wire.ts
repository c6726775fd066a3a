/**
 * The TWS API's framing (the "V100+" protocol every TWS and IB Gateway since API 9.72 speaks): after the
 * client's `API\0` prefix and its version range, every message both ways is a 4-byte big-endian length
 * followed by UTF-8 fields, each ended by a NUL. Written from IB's published API documentation and its
 * open-source clients' message layouts, not from code.
 */

/** A field as it goes on the wire: numbers and booleans as IB writes them (true → "1"), undefined → "". */
export type Field = string | number | boolean | undefined;

/** One framed message. */
export function frame(fields: readonly Field[]): Buffer {
  const text = fields.map((f) => (f === undefined ? '' : f === true ? '1' : f === false ? '0' : String(f))).join('\0') + '\0';
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** What a client sends first: `API\0`, then a framed version range `v100..193`. */
export type Inbound =
  | { readonly kind: 'hello'; readonly minVersion: number; readonly maxVersion: number }
  | { readonly kind: 'message'; readonly fields: readonly string[] }
  | { readonly kind: 'garbage'; readonly reason: string };

/**
 * Cuts a client's byte stream into the hello and then messages (fields without the trailing empty one).
 *
 * @example const reader = new FrameReader(); socket.on('data', (b) => { for (const m of reader.push(b)) handle(m); });
 */
export class FrameReader {
  private buf = Buffer.alloc(0);
  private greeted = false;

  push(data: Buffer): Inbound[] {
    this.buf = Buffer.concat([this.buf, data]);
    const out: Inbound[] = [];
    if (!this.greeted) {
      if (this.buf.length < 4) return out;
      if (this.buf.subarray(0, 4).toString('latin1') !== 'API\0') {
        this.buf = Buffer.alloc(0);
        return [{ kind: 'garbage', reason: 'no API\\0 prefix: not a TWS API client (V100+ protocol)' }];
      }
      const hello = this.take(4);
      if (hello === undefined) return out;
      this.greeted = true;
      const m = /^v(\d+)(?:\.\.(\d+))?/.exec(hello.toString('utf8'));
      if (!m) return [{ kind: 'garbage', reason: `bad version range ${JSON.stringify(hello.toString('utf8'))}` }];
      out.push({ kind: 'hello', minVersion: Number(m[1]), maxVersion: Number(m[2] ?? m[1]) });
    }
    for (let body = this.take(0); body !== undefined; body = this.take(0)) {
      const fields = body.toString('utf8').split('\0');
      if (fields.at(-1) === '') fields.pop();
      out.push({ kind: 'message', fields });
    }
    return out;
  }

  /** The next length-prefixed body after `skip` bytes, or undefined while incomplete. */
  private take(skip: number): Buffer | undefined {
    if (this.buf.length < skip + 4) return undefined;
    const n = this.buf.readUInt32BE(skip);
    if (this.buf.length < skip + 4 + n) return undefined;
    const body = this.buf.subarray(skip + 4, skip + 4 + n);
    this.buf = this.buf.subarray(skip + 4 + n);
    return body;
  }
}

/** Message ids a TWS sends (IB's "incoming" ids). */
export const IN = {
  ORDER_STATUS: 3, ERR_MSG: 4, OPEN_ORDER: 5, ACCT_VALUE: 6, NEXT_VALID_ID: 9, EXECUTION_DATA: 11, MANAGED_ACCTS: 15,
  CURRENT_TIME: 49, REAL_TIME_BARS: 50, OPEN_ORDER_END: 53, ACCT_DOWNLOAD_END: 54, EXECUTION_DATA_END: 55,
  COMMISSION_REPORT: 59, POSITION: 61, POSITION_END: 62,
} as const;

/** Message ids a client sends (IB's "outgoing" ids) that this server answers. */
export const OUT = {
  PLACE_ORDER: 3, CANCEL_ORDER: 4, REQ_OPEN_ORDERS: 5, REQ_ACCOUNT_DATA: 6, REQ_EXECUTIONS: 7, REQ_IDS: 8,
  REQ_AUTO_OPEN_ORDERS: 15, REQ_ALL_OPEN_ORDERS: 16, REQ_MANAGED_ACCTS: 17, REQ_CURRENT_TIME: 49,
  REQ_REAL_TIME_BARS: 50, CANCEL_REAL_TIME_BARS: 51, REQ_POSITIONS: 61, CANCEL_POSITIONS: 64, START_API: 71,
} as const;
