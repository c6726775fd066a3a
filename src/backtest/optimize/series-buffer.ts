import { createHash } from 'node:crypto';
import type { MarketEvent } from '../../model/index.ts';

/**
 * Market events packed into one SharedArrayBuffer of float64 columns, so a sweep parses its data file once:
 * the coordinator packs, every worker thread sees the same memory (nothing is copied), and a queue worker on
 * another machine receives the same bytes from Redis. Each worker unpacks it into event objects once, not
 * per trial. Prices and volumes are the floats the loader produced, so results match a `keel backtest` run
 * on the file.
 */
export interface PackedSeries {
  readonly kind: 'bar' | 'trade' | 'quote';
  readonly instrumentId: string;
  readonly count: number;
  /** count × COLUMNS[kind] float64 values, row after row. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
}

const COLUMNS = { bar: 6, trade: 3, quote: 5 } as const;

/**
 * Pack a single-instrument event series.
 *
 * @example const packed = packSeries(data.bars); unpackSeries(packed).length === data.bars.length
 */
export function packSeries(events: readonly MarketEvent[]): PackedSeries {
  const kind = events[0]?.type ?? 'bar';
  const width = COLUMNS[kind];
  const buffer = new SharedArrayBuffer(events.length * width * 8);
  const f = new Float64Array(buffer);
  const instrumentId = events[0]?.instrumentId ?? '';
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== kind || e.instrumentId !== instrumentId) throw new Error('packSeries: one instrument and one kind of event only');
    const o = i * width;
    f[o] = e.ts;
    switch (e.type) {
      case 'bar': f[o + 1] = e.open; f[o + 2] = e.high; f[o + 3] = e.low; f[o + 4] = e.close; f[o + 5] = e.volume; break;
      case 'trade': f[o + 1] = e.price; f[o + 2] = e.size; break;
      case 'quote': f[o + 1] = e.bid; f[o + 2] = e.ask; f[o + 3] = e.bidSize; f[o + 4] = e.askSize; break;
    }
  }
  return { kind, instrumentId, count: events.length, buffer };
}

/** The events back, as fresh objects. */
export function unpackSeries(p: PackedSeries): MarketEvent[] {
  const width = COLUMNS[p.kind];
  const f = new Float64Array(p.buffer, 0, p.count * width);
  const out = new Array<MarketEvent>(p.count);
  const instrumentId = p.instrumentId;
  for (let i = 0; i < p.count; i++) {
    const o = i * width;
    switch (p.kind) {
      case 'bar': out[i] = { type: 'bar', instrumentId, ts: f[o], open: f[o + 1], high: f[o + 2], low: f[o + 3], close: f[o + 4], volume: f[o + 5] }; break;
      case 'trade': out[i] = { type: 'trade', instrumentId, ts: f[o], price: f[o + 1], size: f[o + 2] }; break;
      case 'quote': out[i] = { type: 'quote', instrumentId, ts: f[o], bid: f[o + 1], ask: f[o + 2], bidSize: f[o + 3], askSize: f[o + 4] }; break;
    }
  }
  return out;
}

/** sha256 of the packed series (kind, instrument, values): the identity of a sweep's data. */
export function seriesHash(p: PackedSeries): string {
  return createHash('sha256').update(`${p.kind}\n${p.instrumentId}\n${p.count}\n`).update(new Uint8Array(p.buffer, 0, p.count * COLUMNS[p.kind] * 8)).digest('hex');
}

/** The series' bytes for a transport (Redis) and back. */
export function seriesBytes(p: PackedSeries): Uint8Array {
  return new Uint8Array(p.buffer, 0, p.count * COLUMNS[p.kind] * 8);
}

export function seriesFromBytes(header: { kind: PackedSeries['kind']; instrumentId: string; count: number }, bytes: Uint8Array): PackedSeries {
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  if (bytes.byteLength !== header.count * COLUMNS[header.kind] * 8) throw new Error(`series: ${bytes.byteLength} bytes for ${header.count} ${header.kind}s`);
  return { ...header, buffer };
}
