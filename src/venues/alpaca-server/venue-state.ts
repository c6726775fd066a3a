import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { KeelError, defineInstrument, fromJson, parseMoney, tickForDecimals, toJson, type InstrumentSpec } from '../../model/index.ts';
import { loadMarketData } from '../../data/index.ts';
import { AlpacaAccount, type AccountState } from './account.ts';
import type { FaultControl } from './faults.ts';
import { IdSource } from './ids.ts';
import { VenueMarket, assetFor } from './market.ts';
import type { AlpacaVenueServerOptions } from './options.ts';

/** The venue's books, separable from its sockets: a server restart keeps this object, or rebuilds it from a file. */
export interface VenueState {
  readonly market: VenueMarket;
  /** By account name. */
  readonly accounts: ReadonlyMap<string, AlpacaAccount>;
  readonly ids: IdSource;
}

interface SavedState {
  readonly format: 'keel-alpaca-venue/1';
  readonly dataPath: string;
  readonly nextBar: number;
  readonly ids: number;
  readonly accounts: readonly AccountState[];
}

const CRYPTO_LOT = '0.000000001';

/**
 * Load the data, define the instrument and open the accounts, fresh or from `saved` (a state file's content).
 *
 * @example const state = buildVenueState(options, faults, readStateFile(options.stateFile));
 */
export function buildVenueState(o: AlpacaVenueServerOptions, faults: FaultControl, saved?: SavedState): VenueState {
  const spec = typeof o.instrument === 'string' ? { id: o.instrument } : o.instrument;
  const data = loadMarketData(o.dataPath, spec?.id ? { instrumentId: spec.id } : {});
  if (data.kind !== 'bars') throw new KeelError('BAD_DATA_KIND', `holds ${data.kind}; the venue server replays bars`, { field: 'dataPath', value: o.dataPath });
  const symbol = o.symbol ?? data.instrumentId;
  const crypto = (o.assetClass ?? (symbol.includes('/') ? 'crypto' : 'us_equity')) === 'crypto';
  const given = Object.fromEntries(Object.entries(spec ?? {}).filter(([, v]) => v !== undefined && v !== '')) as Partial<InstrumentSpec>;
  const instrument = defineInstrument({
    priceTick: tickForDecimals(data.priceDecimals), lotSize: crypto ? CRYPTO_LOT : '1', assetClass: crypto ? 'crypto' : 'equity', ...given, id: data.instrumentId,
  });
  const asset = assetFor(instrument, { symbol, assetClass: crypto ? 'crypto' : 'us_equity', shortable: o.shorting === true });
  const market = new VenueMarket({
    asset, bars: data.bars, intervalMs: data.intervalMs, pace: o.barIntervalMs ?? 1000, untilBar: o.untilBar, firstBar: saved?.nextBar ?? 0,
  });
  const ids = new IdSource(o.seed ?? 1, saved?.ids ?? 0);
  const accounts = new Map<string, AlpacaAccount>();
  const defaultCash = o.initialCash ?? parseMoney('100000', 'initialCash');
  for (const k of o.keys) {
    const name = k.account ?? k.keyId;
    if (accounts.has(name)) continue;
    const account = new AlpacaAccount({
      name, initialCash: k.initialCash ?? defaultCash, market, ids, faults, fees: o.fees, slippage: o.slippage, limitFill: o.limitFill,
      participationRate: o.participationRate,
    });
    accounts.set(name, account);
  }
  for (const s of saved?.accounts ?? []) accounts.get(s.name)?.restore(s);
  return { market, accounts, ids };
}

/** The saved state in a file, or undefined when there is no file yet. Throws a KeelError on a file that is not one. */
export function readStateFile(path: string | undefined, dataPath: string): SavedState | undefined {
  if (path === undefined || !existsSync(path)) return undefined;
  let s: SavedState;
  try {
    s = fromJson(readFileSync(path, 'utf8')) as SavedState;
  } catch (e) {
    throw new KeelError('BAD_STATE_FILE', `is not a venue state file (${(e as Error).message})`, { field: 'stateFile', value: path });
  }
  if (s?.format !== 'keel-alpaca-venue/1') throw new KeelError('BAD_STATE_FILE', 'is not a venue state file', { field: 'stateFile', value: path });
  if (s.dataPath !== dataPath) {
    throw new KeelError('BAD_STATE_FILE', `was saved for another data file (${s.dataPath})`, { field: 'stateFile', value: path, hint: 'delete it or pass the same --data' });
  }
  return s;
}

/**
 * Write the state atomically (a temporary file renamed over the old one: a crash mid-write leaves the previous
 * state, never half a file). Account names only: the keys' secrets are not part of the state.
 */
export function writeStateFile(path: string, dataPath: string, state: VenueState): void {
  const saved: SavedState = {
    format: 'keel-alpaca-venue/1', dataPath, nextBar: state.market.replayed, ids: state.ids.count,
    accounts: [...state.accounts.values()].map((a) => a.snapshot()),
  };
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, toJson(saved));
  renameSync(tmp, path);
}

/** A number that changes whenever anything worth saving changed (orders, fills, the replay). */
export function stateVersion(state: VenueState): number {
  let v = state.market.replayed;
  for (const a of state.accounts.values()) v += a.version;
  return v;
}
