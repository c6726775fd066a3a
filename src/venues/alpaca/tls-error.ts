import { KeelError } from '../../model/index.ts';
import { HttpError } from '../net/index.ts';

const HINT = 'for a private or test venue, give its CA certificate in tls.ca; never turn verification off';

/**
 * A refused venue certificate at connect, as one line: it is a configuration problem, not an outage, so it
 * names the venue, the endpoint and the certificate's problem, and says what to do. Undefined for any other
 * failure.
 *
 * @example restTlsError('alpaca', 'https://paper-api.alpaca.markets', undefined, e) // KeelError VENUE_TLS, or undefined
 */
export function restTlsError(venue: string, url: string, caFile: string | undefined, e: unknown): KeelError | undefined {
  if (!(e instanceof HttpError) || e.kind !== 'tls') return undefined;
  return new KeelError('VENUE_TLS', `${venue} at ${url}: ${e.message.replace(/^.*?→ tls: /, '')}`, { field: 'alpaca.tls.ca', value: caFile, hint: HINT });
}

/**
 * The trade stream's last failure (ReconnectingSocket names a refused certificate) as that line, or undefined
 * when it was not about the certificate.
 */
export function streamTlsError(lastFailure: string | undefined, caFile: string | undefined): KeelError | undefined {
  if (lastFailure === undefined || !/TLS certificate/.test(lastFailure)) return undefined;
  return new KeelError('VENUE_TLS', `${lastFailure}; nothing was sent`, { field: 'alpaca.tls.ca', value: caFile, hint: HINT });
}
