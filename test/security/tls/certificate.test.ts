import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type ServerOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelError } from '../../../src/model/index.ts';
import { createCertificate, loadCaFile, loadServerTls, selfSignedCertificate, writeCertificatePair } from '../../../src/security/index.ts';

const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof KeelError && e.code === code && !e.message.includes('\n') && (message === undefined || message.test(e.message));

/** One HTTPS GET over a real socket; resolves with the body, or rejects with the TLS error's code. */
async function get(server: { port: number }, host: string, o: { ca?: string; servername?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: server.port, path: '/', ca: o.ca, servername: o.servername, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(Object.assign(new Error(e.message), { code: e.code })));
    req.end();
  });
}

async function serve(tls: ServerOptions, fn: (s: { port: number }) => Promise<void>): Promise<void> {
  const server = createServer(tls, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '::', r));
  try {
    await fn({ port: (server.address() as { port: number }).port });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('a self-signed certificate names localhost, 127.0.0.1, ::1 and the given hosts, and a client that trusts it connects over each', async () => {
  const pair = await selfSignedCertificate({ hosts: ['keel.test', '10.1.2.3', 'fd00::17'], days: 30 });
  const cert = new X509Certificate(pair.certPem);
  assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:keel.test, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:17');
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.equal(cert.ca, false);
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `valid for 30 days (${days})`);
  assert.equal(createPrivateKey(pair.keyPem).asymmetricKeyType, 'ec');
  await serve({ cert: pair.certPem, key: pair.keyPem }, async (s) => {
    assert.equal(await get(s, '127.0.0.1', { ca: pair.certPem }), 'ok');
    assert.equal(await get(s, '::1', { ca: pair.certPem }), 'ok');
    assert.equal(await get(s, '127.0.0.1', { ca: pair.certPem, servername: 'localhost' }), 'ok');
    await assert.rejects(get(s, '127.0.0.1', {}), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await assert.rejects(get(s, '127.0.0.1', { ca: pair.certPem, servername: 'other.test' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

test('a certificate signed by a private CA: trusted through the CA, refused without it', async () => {
  const ca = await createCertificate({ commonName: 'Keel Test CA', hosts: [], isCa: true });
  const leaf = await createCertificate({ hosts: ['localhost', '127.0.0.1'], issuer: ca });
  const caCert = new X509Certificate(ca.certPem);
  const leafCert = new X509Certificate(leaf.certPem);
  assert.equal(caCert.ca, true);
  assert.ok(leafCert.checkIssued(caCert) && leafCert.verify(caCert.publicKey));
  assert.notEqual(leafCert.serialNumber, caCert.serialNumber);
  await serve({ cert: leaf.certPem, key: leaf.keyPem }, async (s) => {
    assert.equal(await get(s, '127.0.0.1', { ca: ca.certPem }), 'ok');
    await assert.rejects(get(s, '127.0.0.1', {}), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});

test('loadServerTls: a missing file, swapped files, a key of another certificate, an expired or encrypted one: one line naming the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-tls-'));
  try {
    const a = await selfSignedCertificate();
    const b = await selfSignedCertificate();
    const old = await selfSignedCertificate({ days: 1, now: new Date('2020-01-01T00:00:00Z') });
    const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
    const cert = file('cert.pem', a.certPem);
    const key = file('key.pem', a.keyPem);
    const ok = loadServerTls({ cert, key }, 'keel.yaml: api.tls');
    assert.equal(ok.cert, a.certPem);
    assert.match(ok.summary, /^CN=localhost, valid until \d{4}-\d{2}-\d{2}$/);
    const cases: Array<[Parameters<typeof loadServerTls>[0], string, RegExp]> = [
      [{ cert: join(dir, 'nope.pem'), key }, 'TLS_FILE', /^keel\.yaml: api\.tls\.cert = ".*nope\.pem": does not exist \(keel tls self-signed --out DIR makes a certificate and key\)$/],
      [{ cert: key, key: cert }, 'TLS_FILE', /^keel\.yaml: api\.tls\.cert = ".*key\.pem": holds a private key, not a certificate/],
      [{ cert, key: cert }, 'TLS_FILE', /^keel\.yaml: api\.tls\.key = ".*cert\.pem": holds a certificate, not a private key/],
      [{ cert, key: file('b-key.pem', b.keyPem) }, 'TLS_KEY_MISMATCH', /^keel\.yaml: api\.tls\.key = ".*b-key\.pem": is not the private key of the certificate .*cert\.pem \(CN=localhost\)/],
      [{ cert: file('old.pem', old.certPem), key: file('old-key.pem', old.keyPem) }, 'TLS_CERT_EXPIRED', /^keel\.yaml: api\.tls\.cert = ".*old\.pem": expired on 2020-01-02T00:00:00\.000Z/],
      [{ cert, key: file('enc.pem', createPrivateKey(a.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string) }, 'TLS_FILE', /api\.tls\.key = .*: is an encrypted private key/],
      [{ cert: file('junk.pem', 'hello'), key }, 'TLS_FILE', /api\.tls\.cert = .*junk\.pem": is not a PEM certificate/],
      [{ cert, key, ca: key }, 'TLS_FILE', /^keel\.yaml: api\.tls\.ca = ".*key\.pem": holds no PEM certificate/],
    ];
    for (const [files, code, message] of cases) assert.throws(() => loadServerTls(files, 'keel.yaml: api.tls'), isCode(code, message), JSON.stringify(files));
    assert.equal(loadCaFile(cert, 'venue.tls.ca'), a.certPem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeCertificatePair: key 0600, certificate 0644, and nothing is ever overwritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-tls-'));
  try {
    const out = join(dir, 'tls');
    const pair = await selfSignedCertificate();
    const paths = writeCertificatePair(out, pair);
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.equal(statSync(paths.cert).mode & 0o777, 0o644);
    assert.equal(readFileSync(paths.key, 'utf8'), pair.keyPem);
    const other = await selfSignedCertificate();
    assert.throws(() => writeCertificatePair(out, other), isCode('TLS_FILE_EXISTS', /cert\.pem": already exists; nothing was written/));
    assert.equal(readFileSync(paths.key, 'utf8'), pair.keyPem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('certificate serials are positive and in DER shortest form for every first random byte (0x00 once broke one in 256)', async () => {
  const { certificateSerial } = await import('../../../src/security/tls/x509-builder.ts');
  for (let first = 0; first < 256; first++) {
    const random = new Uint8Array(16).fill(0x01);
    random[0] = first;
    const serial = certificateSerial(random);
    assert.equal(serial.length, 16);
    assert.ok(serial[0]! >= 0x01 && serial[0]! <= 0x7f, `first byte ${first} -> ${serial[0]}`);
    assert.deepEqual(serial.subarray(1), random.subarray(1), 'only the first byte changes');
  }
});
