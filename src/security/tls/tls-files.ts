import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeelError } from '../../model/index.ts';

/** Where the API's certificate, key and (optionally) client CA are, as configured (`api.tls`). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

/** The PEM text of a server's TLS identity, checked, ready for `https.createServer` / fastify's `https`. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  /** Subject and expiry, for the start-up line ("CN=localhost, until 2026-01-02"). */
  readonly summary: string;
}

/**
 * Read and check the API's TLS files before anything listens: each file must exist and hold what its key
 * says (a certificate, a private key, CA certificates), the certificate must be valid now, and the key must
 * be the certificate's. Every refusal is one KeelError line naming the key (`keel.yaml: api.tls.key`) and
 * the path, never the key's bytes.
 *
 * @example const tls = loadServerTls({ cert: 'tls/cert.pem', key: 'tls/key.pem' }, 'keel.yaml: api.tls');
 */
export function loadServerTls(files: TlsFiles, field: string, now: Date = new Date()): ServerTls {
  const certPem = readPem(files.cert, `${field}.cert`);
  const keyPem = readPem(files.key, `${field}.key`);
  const cert = parseCertificate(certPem, `${field}.cert`, files.cert);
  const key = parsePrivateKey(keyPem, `${field}.key`, files.key);
  checkValidity(cert, `${field}.cert`, files.cert, now);
  if (!cert.checkPrivateKey(key)) {
    throw new KeelError('TLS_KEY_MISMATCH', `is not the private key of the certificate ${files.cert} (${cert.subject.replace(/\n/g, ', ')})`, {
      field: `${field}.key`, value: files.key, hint: 'configure the key that was made with that certificate',
    });
  }
  let ca: string | undefined;
  if (files.ca !== undefined) ca = loadCaFile(files.ca, `${field}.ca`);
  const summary = `${cert.subject.replace(/\n/g, ', ')}, valid until ${new Date(cert.validTo).toISOString().slice(0, 10)}`;
  return ca === undefined ? { cert: certPem, key: keyPem, summary } : { cert: certPem, key: keyPem, ca, summary };
}

/**
 * A file of one or more CA certificates (PEM), checked, as its text: what a venue adapter trusts besides the
 * system's roots (`venue.tls.ca`), or what the API uses for client certificates.
 *
 * @example const ca = loadCaFile('certs/venue-ca.pem', 'keel.yaml: venue.tls.ca');
 */
export function loadCaFile(path: string, field: string): string {
  const pem = readPem(path, field);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new KeelError('TLS_FILE', 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)', { field, value: path, hint: 'give the CA certificate in PEM form' });
  }
  for (const b of blocks) parseCertificate(b, field, path);
  return pem;
}

function readPem(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? String(err)})`;
    throw new KeelError('TLS_FILE', why, { field, value: path, hint: 'keel tls self-signed --out DIR makes a certificate and key' });
  }
}

function parseCertificate(pem: string, field: string, path: string): X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    const what = /PRIVATE KEY-----/.test(pem) ? 'holds a private key, not a certificate' : 'is not a PEM certificate (-----BEGIN CERTIFICATE-----)';
    throw new KeelError('TLS_FILE', what, { field, value: path, hint: 'cert is the certificate, key the private key' });
  }
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new KeelError('TLS_FILE', `is not a readable certificate (${firstLine(err)})`, { field, value: path });
  }
}

function parsePrivateKey(pem: string, field: string, path: string): KeyObject {
  if (/ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new KeelError('TLS_FILE', 'is an encrypted private key; Keel needs it unencrypted (protect it with file permissions: chmod 600)', {
      field, value: path, hint: 'openssl pkey -in key.pem -out key-plain.pem',
    });
  }
  if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/.test(pem)) {
    const what = pem.includes('-----BEGIN CERTIFICATE-----') ? 'holds a certificate, not a private key' : 'is not a PEM private key (-----BEGIN PRIVATE KEY-----)';
    throw new KeelError('TLS_FILE', what, { field, value: path, hint: 'cert is the certificate, key the private key' });
  }
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new KeelError('TLS_FILE', `is not a readable private key (${firstLine(err)})`, { field, value: path });
  }
}

function checkValidity(cert: X509Certificate, field: string, path: string, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) throw new KeelError('TLS_CERT_NOT_YET_VALID', `is not valid before ${from.toISOString()}`, { field, value: path, hint: 'check this machine\'s clock, or make a new certificate' });
  if (now > to) throw new KeelError('TLS_CERT_EXPIRED', `expired on ${to.toISOString()}`, { field, value: path, hint: 'make a new certificate (keel tls self-signed) or renew it' });
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
