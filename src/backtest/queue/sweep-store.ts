import type { Redis } from 'ioredis';
import { seriesBytes, seriesFromBytes, seriesHash, type PackedSeries, type SweepSpec } from '../optimize/index.ts';

/**
 * How a queue worker on any machine gets a sweep's inputs: the coordinator stores, once per sweep, the spec
 * (strategy reference and hash, engine settings, objective) under `keel:sweep:<id>` and the packed data
 * series under `keel:series:<sha256>` (shared by sweeps over the same data). Jobs carry only the sweep id and
 * the trial. A worker fetches both once, checks the series against its hash, and keeps them for every trial
 * of the sweep. Keys expire after a day.
 */
export const STORE_TTL_S = 86_400;

export interface StoredSweep {
  readonly spec: SweepSpec;
  readonly series: { readonly kind: PackedSeries['kind']; readonly instrumentId: string; readonly count: number; readonly sha256: string };
}

const sweepKey = (id: string): string => `keel:sweep:${id}`;
const seriesKey = (hash: string): string => `keel:series:${hash}`;

export async function storeSweep(redis: Redis, sweepId: string, spec: SweepSpec, series: PackedSeries, hash: string): Promise<void> {
  const stored: StoredSweep = { spec, series: { kind: series.kind, instrumentId: series.instrumentId, count: series.count, sha256: hash } };
  await redis.set(seriesKey(hash), Buffer.from(seriesBytes(series)), 'EX', STORE_TTL_S);
  await redis.set(sweepKey(sweepId), JSON.stringify(stored), 'EX', STORE_TTL_S);
}

/** The sweep's spec and data, verified; throws a plain Error (the job fails with its message) when missing. */
export async function loadSweep(redis: Redis, sweepId: string): Promise<{ spec: SweepSpec; series: PackedSeries }> {
  const text = await redis.get(sweepKey(sweepId));
  if (text === null) throw new Error(`sweep ${sweepId} is not in Redis (expired, or another Redis database?)`);
  const stored = JSON.parse(text) as StoredSweep;
  const bytes = await redis.getBuffer(seriesKey(stored.series.sha256));
  if (bytes === null) throw new Error(`the data of sweep ${sweepId} is not in Redis (expired?)`);
  const series = seriesFromBytes(stored.series, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (seriesHash(series) !== stored.series.sha256) throw new Error(`the data of sweep ${sweepId} does not match its sha256`);
  return { spec: stored.spec, series };
}
