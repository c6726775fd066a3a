import { KeelError, type Instrument } from '../model/index.ts';
import { SocketVenue, createAlpacaVenue, parseAlpacaConfig, symbolMappings, type VenueSession } from '../venues/index.ts';
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
 * config (docs/alpaca.md, docs/ccxt.md); a bad one is one line naming `<file>: venue.<key>` and its value.
 */
export async function connectConfiguredVenue(cfg: RunConfig, o: { log?: (line: string) => void } = {}): Promise<ConnectedVenue> {
  const { kind, ...section } = cfg.venue as { kind: 'sim' | 'alpaca' | 'ccxt' } & Record<string, unknown>;
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
  }
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
