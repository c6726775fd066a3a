import { Secret } from '../../model/index.ts';
import type { VenueReportSink } from '../../execution/index.ts';
import { fixSymbols, parseFixConfig } from './config.ts';
import { FixVenue } from './fix-venue.ts';
import { SessionStore } from './session-store.ts';

export interface CreateFixVenueOptions {
  readonly sink?: VenueReportSink;
  readonly log?: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Log on before returning (default true). */
  readonly connect?: boolean;
}

/**
 * Check the config, open the session store and log on. Every config problem is one KeelError line naming the
 * field before anything is sent; an unreachable host or a refused logon is one line too. The password comes
 * from the config (or `secret:NAME` in a run config), else KEEL_FIX_PASSWORD.
 *
 * @example const venue = await createFixVenue({ host: '127.0.0.1', port: 9878, senderCompId: 'KEEL', targetCompId: 'EXECUTOR', store: 'run/fix.json', symbols: ['ORCL'] });
 */
export async function createFixVenue(input: unknown, o: CreateFixVenueOptions = {}): Promise<FixVenue> {
  const config = parseFixConfig(input);
  const symbols = fixSymbols(config);
  const env = o.env ?? process.env;
  const raw = config.password ?? (env.KEEL_FIX_PASSWORD ? env.KEEL_FIX_PASSWORD : undefined);
  const password = raw === undefined ? undefined : raw instanceof Secret ? raw : new Secret(raw);
  const beginString = config.version === '4.4' ? 'FIX.4.4' : 'FIX.4.2';
  const store = SessionStore.open(config.store, `${beginString}:${config.senderCompId}->${config.targetCompId}`, config.cash ?? '100000');
  const venue = new FixVenue({ config, symbols, store, password, sink: o.sink, log: o.log });
  if (o.connect !== false) await venue.connect();
  return venue;
}
