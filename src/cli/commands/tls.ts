import { X509Certificate } from 'node:crypto';
import { KeelError } from '../../model/index.ts';
import { selfSignedCertificate, writeCertificatePair } from '../../security/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';

export const TLS_HELP = `keel tls self-signed: a key and a self-signed certificate for the API's HTTPS (docs/security.md)

  keel tls self-signed --out DIR [--host NAME,IP,...] [--days 365]
      writes DIR/key.pem (mode 0600) and DIR/cert.pem, an ECDSA P-256 certificate for localhost, 127.0.0.1,
      ::1 and the given host names and addresses; never replaces existing files. Point api.tls at them:
        api: { host: 0.0.0.0, tls: { cert: DIR/cert.pem, key: DIR/key.pem } }
      and give clients DIR/cert.pem to trust (curl --cacert DIR/cert.pem https://HOST:7070/api/status).
`;

const OPTIONS = { out: { type: 'string' }, host: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** `keel tls <self-signed>`. */
export async function tlsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(TLS_HELP);
    return 0;
  }
  if (sub !== 'self-signed') throw new KeelError('UNKNOWN_COMMAND', 'is not a keel tls command', { field: 'keel tls', value: sub, hint: 'self-signed' });
  const { values: v } = parseFlags(rest, OPTIONS, 'tls self-signed');
  if (v.help) { process.stdout.write(TLS_HELP); return 0; }
  const out = required(v.out, '--out', 'the directory for cert.pem and key.pem, e.g. --out tls');
  const hosts = v.host === undefined ? [] : v.host.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const days = numberFlag(v.days, '--days', { integer: true, min: 1, max: 3650 }) ?? 365;
  const pair = await selfSignedCertificate({ hosts, days });
  const paths = writeCertificatePair(out, pair);
  const cert = new X509Certificate(pair.certPem);
  process.stdout.write([
    `certificate ${paths.cert}`,
    `  subject   ${cert.subject.replace(/\n/g, ', ')}, valid until ${new Date(cert.validTo).toISOString()}`,
    `  names     ${cert.subjectAltName}`,
    `  sha256    ${cert.fingerprint256}`,
    `key         ${paths.key} (mode 0600: keep it on this machine)`,
  ].join('\n') + '\n');
  return 0;
}
