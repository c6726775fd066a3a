import { KeelError } from '../../model/index.ts';
import { certificateProblem, tlsDiagnosis } from '../net/index.ts';
import type { CcxtVenueConfig } from './config.ts';

/**
 * ccxt reports a refused certificate as "fetch failed: unable to verify the first certificate"; a TLS handshake
 * of our own to the URL it names tells which problem it is, for one line that says what to do.
 */
export async function tlsConnectError(config: CcxtVenueConfig, e: unknown, caPem: string | undefined): Promise<KeelError | undefined> {
  const err = e as { message?: string; code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  const url = /(https:\/\/[^\s]+)/.exec(err?.message ?? '')?.[1] ?? firstUrl(config.urls);
  const words = certificateProblem(code);
  // The undici path throws the TLS error itself; the fetch path wraps it as "fetch failed: <message>".
  const problem = words !== undefined ? `${words} (${code})` : url !== undefined && /fetch failed/.test(err?.message ?? '') ? await tlsDiagnosis(url, caPem) : undefined;
  if (problem === undefined) return undefined;
  return new KeelError('VENUE_TLS', `${config.exchange}${url === undefined ? '' : ` at ${new URL(url).origin}`}: TLS certificate refused: ${problem}; nothing was sent`, {
    field: 'ccxt.tls.ca', value: config.tls?.ca, hint: 'for a private or test venue, give its CA certificate in tls.ca; never turn verification off',
  });
}

function firstUrl(urls: CcxtVenueConfig['urls']): string | undefined {
  for (const v of Object.values(urls ?? {})) {
    const u = typeof v === 'string' ? v : Object.values(v)[0];
    if (u !== undefined && /^https:/.test(u)) return u;
  }
  return undefined;
}
