import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CertificateOptions, CertificatePair } from './certificate.ts';

/**
 * The ASN.1 side of `createCertificate` (certificate.ts checks the options first): a new ECDSA P-256 key and an
 * X.509 v3 certificate for it, laid out by pkijs, signed by WebCrypto.
 */

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const OID = {
  commonName: '2.5.4.3', basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14', serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;
/** The key pair and the certificate for checked options (`days` and the hosts are valid). */
export async function buildCertificate(o: CertificateOptions, commonName: string, days: number): Promise<CertificatePair> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const now = o.now ?? new Date();
  const cert = new pkijs.Certificate();
  cert.version = 2; // v3
  cert.serialNumber = new asn1js.Integer({ valueHex: certificateSerial(randomBytes(16)) });
  cert.subject.typesAndValues.push(nameEntry(commonName));
  if (o.issuer) {
    cert.issuer = pkijs.Certificate.fromBER(new X509Certificate(o.issuer.certPem).raw).subject;
  } else {
    cert.issuer.typesAndValues.push(nameEntry(commonName));
  }
  // A minute of slack before now: a client whose clock is a little behind still accepts it.
  cert.notBefore.value = new Date(now.getTime() - 60_000);
  cert.notAfter.value = new Date(now.getTime() + days * 86_400_000);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey);
  cert.extensions = extensions(o, cert);
  const signer = o.issuer ? await importKey(o.issuer.keyPem) : keys.privateKey;
  await cert.sign(signer, 'SHA-256');
  const certPem = new X509Certificate(Buffer.from(cert.toSchema().toBER(false))).toString();
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem, keyPem };
}

/**
 * A positive serial from random bytes: two certificates of one CA must never share one. The first byte is made
 * 0x01..0x7f: top bit clear keeps it positive, and never 0x00, because DER wants an integer's shortest form and
 * a leading zero before a byte under 0x80 is not, so OpenSSL would refuse the certificate (about one in 256).
 */
export function certificateSerial(random: Uint8Array): Uint8Array {
  const serial = Uint8Array.from(random);
  serial[0] = 1 + (serial[0]! % 0x7f);
  return serial;
}

function extensions(o: CertificateOptions, cert: pkijs.Certificate): pkijs.Extension[] {
  const ext = (extnID: string, critical: boolean, value: { toSchema(): asn1js.AsnType }) =>
    new pkijs.Extension({ extnID, critical, extnValue: value.toSchema().toBER(false) });
  const keyId = new asn1js.OctetString({ valueHex: cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView.slice(0, 20) });
  const list = [
    ext(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: o.isCa === true })),
    // digitalSignature (bit 0) for a server; keyCertSign (bit 5) and cRLSign (bit 6) for a CA.
    new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: keyUsageBits(o.isCa === true).toBER(false) }),
    new pkijs.Extension({ extnID: OID.subjectKeyId, critical: false, extnValue: keyId.toBER(false) }),
  ];
  if (!o.isCa) list.push(ext(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] })));
  if (o.hosts.length > 0) list.push(ext(OID.subjectAltName, false, new pkijs.GeneralNames({ names: o.hosts.map(generalName) })));
  return list;
}

function keyUsageBits(ca: boolean): asn1js.BitString {
  // Bits numbered from the most significant bit of the first byte.
  const byte = ca ? 0b0000_0110 : 0b1000_0000;
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits: ca ? 1 : 7 });
}

function generalName(host: string): pkijs.GeneralName {
  const v = isIP(host);
  if (v === 0) return new pkijs.GeneralName({ type: 2, value: host }); // dNSName
  return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(host, v).buffer }) }); // iPAddress
}

function ipBytes(ip: string, version: number): Uint8Array {
  if (version === 4) return new Uint8Array(ip.split('.').map(Number));
  // Expand "::" and read the eight 16-bit groups (an embedded IPv4 tail becomes the last two).
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

function nameEntry(cn: string): pkijs.AttributeTypeAndValue {
  return new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: cn }) });
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}
