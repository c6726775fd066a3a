import { isIP } from 'node:net';
import { KeelError } from '../../model/index.ts';

/**
 * X.509 certificates for the API's HTTPS (`keel tls self-signed`) and for tests that need a private CA.
 * Keys are ECDSA P-256 (small, fast, accepted by every TLS 1.2+ client), made and used by Node's WebCrypto;
 * pkijs only lays out the certificate's ASN.1 (x509-builder.ts, loaded on demand). The private key never
 * leaves this process except as the PEM returned here.
 */

/** A certificate and its private key, PEM. */
export interface CertificatePair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateOptions {
  /** Subject CN (default: the first host). */
  readonly commonName?: string;
  /** DNS names and IP addresses (v4 or v6) for subjectAltName: what clients check the server's name against. */
  readonly hosts: readonly string[];
  /** Valid for this many days from `now` (default 365). */
  readonly days?: number;
  /** Make a CA certificate (basicConstraints cA, keyCertSign) instead of a server one. */
  readonly isCa?: boolean;
  /** Sign with this CA (default: self-signed). */
  readonly issuer?: CertificatePair;
  readonly now?: Date;
}

const MAX_DAYS = 3650;

/**
 * A new key pair and a certificate for it, self-signed or signed by `issuer`.
 *
 * @example
 * const ca = await createCertificate({ commonName: 'Test CA', hosts: [], isCa: true });
 * const server = await createCertificate({ hosts: ['localhost', '127.0.0.1'], issuer: ca });
 */
export async function createCertificate(o: CertificateOptions): Promise<CertificatePair> {
  const days = o.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new KeelError('BAD_ARGUMENT', `must be a whole number of days from 1 to ${MAX_DAYS}`, { field: '--days', value: days });
  }
  for (const h of o.hosts) checkHost(h);
  const commonName = o.commonName ?? o.hosts[0] ?? 'keel';
  // pkijs is loaded only when a certificate is made (keel tls self-signed, tests), not by every engine start.
  const { buildCertificate } = await import('./x509-builder.ts');
  return buildCertificate(o, commonName, days);
}

/**
 * The API's self-signed certificate: localhost, 127.0.0.1 and ::1 always, plus `hosts` (the names and
 * addresses clients will use to reach it).
 *
 * @example const { certPem, keyPem } = await selfSignedCertificate({ hosts: ['keel.internal', '10.0.0.5'], days: 90 });
 */
export function selfSignedCertificate(o: { readonly hosts?: readonly string[]; readonly days?: number; readonly now?: Date } = {}): Promise<CertificatePair> {
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...(o.hosts ?? [])])];
  return createCertificate({ commonName: o.hosts?.[0] ?? 'localhost', hosts, days: o.days, now: o.now });
}

function checkHost(h: string): void {
  if (isIP(h) !== 0) return;
  if (!/^(?=.{1,253}$)(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(h)) {
    throw new KeelError('BAD_ARGUMENT', 'is not a host name or IP address', { field: '--host', value: h, hint: 'e.g. --host keel.internal,10.0.0.5' });
  }
}
