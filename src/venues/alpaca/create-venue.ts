import { loadCredentials, readVenueCa, refuseDisabledVerification } from '../net/index.ts';
import type { VenueReportSink } from '../../execution/index.ts';
import { SeededRandom, type Clock } from '../../kernel/index.ts';
import type { RateBudget } from '../net/index.ts';
import { parseAlpacaConfig, symbolMappings } from './config.ts';
import { AlpacaVenue } from './alpaca-venue.ts';

export interface CreateAlpacaVenueOptions {
  readonly sink?: VenueReportSink;
  readonly clock?: Clock;
  readonly budget?: RateBudget;
  readonly log?: (line: string) => void;
  /** Environment for the credentials (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Connect before resolving (default true): the trade stream is up and the clock skew measured. */
  readonly connect?: boolean;
}

/**
 * Validate `config` (a KeelError naming the field otherwise), read credentials from it or from
 * APCA_API_KEY_ID / APCA_API_SECRET_KEY, build the venue and connect it.
 *
 * @example
 * const venue = await createAlpacaVenue({ paper: true, symbols: ['AAPL', 'BTC/USD'] }, { sink: execution, log: console.log });
 */
export async function createAlpacaVenue(config: unknown, options: CreateAlpacaVenueOptions = {}): Promise<AlpacaVenue> {
  const c = parseAlpacaConfig(config);
  const credentials = loadCredentials({ keyId: c.keyId, secret: c.secret, keyIdEnv: 'APCA_API_KEY_ID', secretEnv: 'APCA_API_SECRET_KEY', env: options.env, venue: 'alpaca' });
  // The parsed config keeps no secret: only the Secret wrapper holds it from here on.
  const { secret: _secret, ...safe } = c;
  // Read now, so that a missing CA file is a config error before anything connects.
  refuseDisabledVerification(c.name);
  const caPem = c.tls?.ca === undefined ? undefined : readVenueCa(c.tls.ca, 'alpaca.tls.ca');
  const venue = new AlpacaVenue({
    config: { ...safe, secret: undefined }, credentials, symbols: symbolMappings(c), caPem,
    sink: options.sink, clock: options.clock, budget: options.budget, log: options.log,
    random: c.seed === undefined ? undefined : ((r) => () => r.next())(new SeededRandom(c.seed)),
  });
  if (options.connect ?? true) {
    try {
      await venue.connect();
    } catch (e) {
      await venue.close();
      throw e;
    }
  }
  return venue;
}
