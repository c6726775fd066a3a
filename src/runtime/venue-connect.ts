import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KeelError, type Instrument } from '../model/index.ts';
import { SocketVenue, createAlpacaVenue, parseAlpacaConfig, refuseDisabledVerification, symbolMappings, type VenueSession } from '../venues/index.ts';
import type { RunConfig } from './run-config.ts';

/** A venue connected per the run config, with what the engine needs to know about it. */
export interface ConnectedVenue {
  readonly session: VenueSession;
  /** The instrument the engine trades (the venue section's first symbol; the sim server's one). */
  readonly instrument: Instrument;
  /** "sim 127.0.0.1:7400", "alpaca paper http://127.0.0.1:7401", "ccxt kraken (sandbox)". */
  readonly description: string;
  /** Paper endpoints and simulators are never live (keel live refuses them). */
  readonly live: boolean;
  /** The account id the venue reports, for keel live's confirmation (undefined when the venue has none). */
  accountId(): Promise<string | undefined>;
}

/**
 * Connect the venue of a run config. The venue section's keys (everything but `kind`) are the adapter's own
 * config (docs/alpaca.md, docs/ccxt.md, docs/ib.md); a bad one is one line naming `<file>: venue.<key>` and its value.
 */
export async function connectConfiguredVenue(cfg: RunConfig, o: { log?: (line: string) => void } = {}): Promise<ConnectedVenue> {
  const { kind, ...raw } = cfg.venue as { kind: 'sim' | 'alpaca' | 'ccxt' | 'fix' | 'ib' } & Record<string, unknown>;
  const section = withLocalCa(raw, cfg.source);
  // The TLS venues: before the adapter, whose errors are re-pointed at the venue section (FIX and IB: plain TCP here).
  if (kind === 'alpaca' || kind === 'ccxt') refuseDisabledVerification(kind);
  switch (kind) {
    case 'sim': {
      const address = String(section.address ?? '');
      const m = /^([^:]+):(\d+)$/.exec(address);
      if (!m) throw new KeelError('BAD_RUN_CONFIG', 'must be HOST:PORT of a keel venue --api keel server', { field: `${cfg.source}: venue.address`, value: section.address as string | undefined });
      const venue = await reachable(address, () => SocketVenue.connect(m[1], Number(m[2]), cfg.account));
      return { session: venue, instrument: venue.instrument, description: `sim ${address}`, live: false, accountId: async () => cfg.account };
    }
    case 'alpaca': {
      const config = inConfig(cfg, 'alpaca', () => parseAlpacaConfig(section));
      const [first] = inConfig(cfg, 'alpaca', () => symbolMappings(config));
      const venue = await reachable(config.tradingUrl ?? (config.paper ? 'Alpaca paper' : 'Alpaca live'), () => inConfigAsync(cfg, 'alpaca', () => createAlpacaVenue(section, { log: o.log })));
      const url = config.tradingUrl ?? (config.paper ? 'https://paper-api.alpaca.markets' : 'https://api.alpaca.markets');
      return {
        session: venue, instrument: first.instrument, description: `alpaca ${config.paper ? 'paper' : 'live'} ${url}`, live: !config.paper,
        accountId: async () => { const a = await venue.rest.account(); return a.account_number ?? a.id; },
      };
    }
    case 'fix': {
      // Loaded on demand like ccxt: only runs over FIX need the session layer.
      const { createFixVenue, parseFixConfig } = await import('../venues/fix/index.ts');
      const fixSection = withFixPaths(section, cfg);
      const config = inConfig(cfg, 'fix', () => parseFixConfig(fixSection));
      const venue = await inConfigAsync(cfg, 'fix', () => createFixVenue(fixSection, { log: o.log }));
      const [first] = venue.symbols;
      return {
        session: venue, instrument: first.instrument, description: `fix ${config.version === '4.4' ? 'FIX.4.4' : 'FIX.4.2'} ${config.senderCompId}->${config.targetCompId} at ${config.host}:${config.port}`,
        live: config.live, accountId: async () => config.account ?? config.senderCompId,
      };
    }
    case 'ccxt': {
      // Loaded on demand: ccxt is large, and only runs that trade through it need it.
      const { CcxtVenue } = await import('../venues/ccxt/index.ts');
      const venue = await inConfigAsync(cfg, 'ccxt', () => CcxtVenue.connect(section, { log: o.log }));
      const sandbox = section.sandbox === true;
      return {
        session: venue, instrument: venue.markets[0].instrument, description: `ccxt ${String(section.exchange)}${sandbox ? ' (sandbox)' : ''}`, live: !sandbox,
        accountId: async () => undefined,
      };
    }
    case 'ib': {
      // Loaded on demand, like ccxt: only runs that trade through IB need the TWS client.
      const { IbVenue, parseIbConfig, ibSymbols } = await import('../venues/ib/index.ts');
      const config = inConfig(cfg, 'ib', () => parseIbConfig(section));
      const [first] = inConfig(cfg, 'ib', () => ibSymbols(config));
      const venue = await inConfigAsync(cfg, 'ib', () => IbVenue.connect(config, { log: o.log }));
      return {
        session: venue, instrument: first.instrument, description: `ib ${config.paper ? 'paper' : 'live'} ${config.host}:${config.port} client ${config.clientId}`,
        live: !config.paper, accountId: () => venue.accountId(),
      };
    }
  }
}

/** `tls.ca` of a venue section, like every path in the run config, is relative to the file. */
function withLocalCa(section: Record<string, unknown>, source: string): Record<string, unknown> {
  const tls = section.tls as { ca?: unknown } | undefined;
  if (tls === null || typeof tls !== 'object' || typeof tls.ca !== 'string' || isAbsolute(tls.ca)) return section;
  return { ...section, tls: { ...tls, ca: resolve(dirname(source), tls.ca) } };
}

/**
 * The FIX section with its paths resolved from the config file (store, market data) and its defaults from the
 * run config: the store beside the journal, the journal's starting cash.
 */
function withFixPaths(section: Record<string, unknown>, cfg: RunConfig): Record<string, unknown> {
  const base = dirname(cfg.source);
  const at = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? resolve(base, p) : p);
  const journalDir = cfg.journal.startsWith('postgres') ? base : dirname(resolve(base, cfg.journal));
  const store = section.store ?? join(journalDir, `fix-${String(section.senderCompId)}-${String(section.targetCompId)}.json`);
  const md = section.marketData as Record<string, unknown> | undefined;
  return {
    ...section, store: at(store), cash: section.cash ?? cfg.cash,
    ...(md !== null && typeof md === 'object' ? { marketData: { ...md, csv: at(md.csv) } } : {}),
  };
}

/** An adapter's config error, re-pointed at the run config file: `keel.yaml: venue.timeouts.requestMs`. */
function relocate(cfg: RunConfig, prefix: string, e: unknown): unknown {
  if (!(e instanceof KeelError) || e.field === undefined) return e;
  const key = e.field.startsWith(`${prefix}.`) ? e.field.slice(prefix.length + 1) : e.field;
  return new KeelError(e.code, e.reason, { field: `${cfg.source}: venue.${key}`, value: e.value, hint: e.hint });
}

function inConfig<T>(cfg: RunConfig, prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw relocate(cfg, prefix, e);
  }
}

async function inConfigAsync<T>(cfg: RunConfig, prefix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw relocate(cfg, prefix, e);
  }
}

async function reachable<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KeelError) throw e;
    throw new KeelError('VENUE_UNREACHABLE', `cannot be reached: ${(e as Error).message}`, { field: 'venue', value: where });
  }
}
