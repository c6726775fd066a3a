import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { KeelError } from '../../model/index.ts';

/**
 * Which certificates a venue adapter trusts. Node verifies every venue's certificate against its bundled
 * roots, and nothing in Keel turns that off; a private or test venue signed by its own CA is trusted by adding
 * that CA (`venue.tls.ca`), next to the public roots, never instead of verification.
 *
 * The HTTP client (global fetch) and the WebSocket (global WebSocket) both run on undici, so one undici Agent
 * carrying the CA serves both as their `dispatcher`.
 */

/** Why a TLS handshake failed, in words, by OpenSSL/Node code: the server was reached, its certificate refused. */
const CERT_PROBLEMS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a CA this engine trusts',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is not signed by a CA this engine trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a CA this engine trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this engine does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presents a self-signed certificate this engine does not trust',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check this machine\'s clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  CERT_REVOKED: 'its certificate was revoked',
  CERT_SIGNATURE_FAILURE: 'its certificate\'s signature does not verify',
  CERT_UNTRUSTED: 'its certificate is not trusted',
  HOSTNAME_MISMATCH: 'its certificate is for another host name',
};

/**
 * The words for a certificate-verification error code, or undefined when `code` is not one.
 *
 * @example certificateProblem('CERT_HAS_EXPIRED') // 'its certificate has expired'
 */
export function certificateProblem(code: string | undefined): string | undefined {
  return code === undefined ? undefined : CERT_PROBLEMS[code];
}

/**
 * Read a venue's CA file (PEM, one or more certificates), or a KeelError naming `field` and the path.
 *
 * @example const ca = readVenueCa('certs/venue-ca.pem', 'alpaca.tls.ca');
 */
export function readVenueCa(path: string, field: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeelError('TLS_FILE', code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`, { field, value: path, hint: 'give the venue\'s CA certificate in PEM form' });
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new KeelError('TLS_FILE', 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)', { field, value: path, hint: 'give the venue\'s CA certificate in PEM form' });
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new KeelError('TLS_FILE', `holds a certificate that cannot be read (${(err as Error).message.split('\n')[0]})`, { field, value: path });
    }
  }
  return pem;
}

/**
 * Refuse to connect to a venue while certificate checks are switched off for the whole process:
 * NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node accept any certificate on every connection that does not insist
 * (fetch's and WebSocket's defaults), which turns a man in the middle into the venue. The fix is never that
 * variable but the venue's CA (`tls.ca`). Throws KeelError VENUE_TLS_OFF naming the variable.
 *
 * @example refuseDisabledVerification('alpaca'); // throws when NODE_TLS_REJECT_UNAUTHORIZED=0
 */
export function refuseDisabledVerification(venue: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED !== '0') return;
  throw new KeelError('VENUE_TLS_OFF', `turns off TLS certificate checks, so ${venue} cannot be told from a man in the middle; nothing was sent`, {
    field: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0', hint: 'unset it; for a private or test venue, give its CA certificate in tls.ca',
  });
}

/**
 * An undici dispatcher that trusts Node's public roots plus `caPem`, verification on (as always).
 *
 * @example const dispatcher = venueDispatcher(readVenueCa('ca.pem', 'alpaca.tls.ca'));
 */
export function venueDispatcher(caPem: string): Dispatcher {
  return new Agent({ connect: { ca: [...rootCertificates, caPem], rejectUnauthorized: true } });
}

/**
 * Why a TLS connection to `url` (https: or wss:) fails, found with one handshake of our own, or undefined when
 * the handshake succeeds or the failure is not about certificates. The WebSocket API reports a refused
 * certificate only as "closed (1006)"; this names it.
 *
 * @example await tlsDiagnosis('wss://stream.example:443/', undefined) // 'its certificate has expired (CERT_HAS_EXPIRED)'
 */
export function tlsDiagnosis(url: string, caPem: string | undefined, timeoutMs = 5000): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(undefined);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'wss:') return Promise.resolve(undefined);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host, port: Number(u.port || 443), servername: /^[\d.]+$|:/.test(host) ? undefined : host, ca: caPem === undefined ? undefined : [...rootCertificates, caPem], timeout: timeoutMs,
    });
    const done = (why: string | undefined) => { socket.destroy(); resolve(why); };
    socket.once('secureConnect', () => done(undefined));
    socket.once('timeout', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const words = certificateProblem(e.code);
      done(words === undefined ? undefined : `${words} (${e.code})`);
    });
  });
}
