import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { KeelError } from '../../../src/model/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import { createCertificate, type CertificatePair } from '../../../src/security/index.ts';
import { createAlpacaVenue } from '../../../src/venues/index.ts';
import { HttpClient, HttpError, ReconnectingSocket, venueDispatcher } from '../../../src/venues/net/index.ts';
import { alpacaConfig, startAlpacaVenue } from '../../helpers/alpaca-paper.ts';

/**
 * The adapters verify the venue's certificate (HTTPS and WSS), over real sockets on loopback: a local Alpaca
 * venue serving a certificate of a CA made here is reached once that CA is configured (tls.ca), and refused
 * with one line naming the venue and the certificate problem when it is not, before any order could be sent.
 */

async function testCa(): Promise<{ ca: CertificatePair; server: CertificatePair; dir: string; caFile: string }> {
  const ca = await createCertificate({ commonName: 'Keel Test Venue CA', hosts: [], isCa: true });
  const server = await createCertificate({ hosts: ['localhost', '127.0.0.1'], issuer: ca });
  const dir = mkdtempSync(join(tmpdir(), 'keel-venue-tls-'));
  const caFile = join(dir, 'venue-ca.pem');
  writeFileSync(caFile, ca.certPem);
  return { ca, server, dir, caFile };
}

test('alpaca over HTTPS and WSS: with the venue CA configured it connects and trades; without it, one line and nothing sent', { timeout: 60_000 }, async () => {
  const { server: cert, dir, caFile } = await testCa();
  const lines: string[] = [];
  const server = await startAlpacaVenue({ tls: { cert: cert.certPem, key: cert.keyPem }, log: (l) => lines.push(l) });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const refused = await createAlpacaVenue(alpacaConfig(server)).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof KeelError, String(refused));
    assert.equal(refused.code, 'VENUE_TLS');
    assert.match(refused.message, new RegExp(`^alpaca\\.tls\\.ca: alpaca at ${server.url.replace(/\./g, '\\.')}: TLS certificate refused: its certificate is not signed by a CA this engine trusts \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\); nothing was sent \\(for a private or test venue, give its CA certificate in tls\\.ca; never turn verification off\\)$`));
    assert.equal(server.stats().requests, 0, 'the handshake failed: the venue saw no request');
    assert.equal(server.stats().orders, 0);
    assert.deepEqual(lines, []);

    const missing = await createAlpacaVenue(alpacaConfig(server, { tls: { ca: join(dir, 'nope.pem') } })).then(() => undefined, (e: unknown) => e);
    assert.match(String((missing as Error).message), /^alpaca\.tls\.ca = ".*nope\.pem": does not exist/);

    const venue = await createAlpacaVenue(alpacaConfig(server, { tls: { ca: caFile } }));
    try {
      assert.equal(venue.connected, true, 'the trade stream (WSS) is up');
      const reports: string[] = [];
      venue.onReport((r) => reports.push(r.type));
      venue.submit(markApproved({
        clientOrderId: 'tls-1', strategyId: 's', instrumentId: 'ORCL', side: 'buy', type: 'market', quantity: 1 as never,
        limitPrice: undefined, timeInForce: 'DAY', reduceOnly: false, createdAt: 0, tag: undefined,
      } as never));
      const end = Date.now() + 10_000;
      while (!reports.some((t) => t === 'order.accepted' || t === 'order.rejected') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      assert.ok(reports.includes('order.accepted'), reports.join(','));
      assert.equal(server.stats().orders, 1);
    } finally {
      await venue.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HTTP client: a refused certificate is a tls failure, not retried, nothing sent; with the CA the request goes through', async () => {
  const { ca, server: cert, dir } = await testCa();
  let requests = 0;
  const https = createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => { requests++; res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(https.address() as { port: number }).port}`;
  try {
    const attempts: number[] = [];
    const plain = new HttpClient({ venue: 'testvenue', baseUrl: url, retry: { attempts: 4, baseMs: 1, maxMs: 2 }, onEvent: (e) => attempts.push(e.attempt) });
    const e = await plain.request({ method: 'GET', path: '/v2/clock' }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof HttpError);
    assert.equal(e.kind, 'tls');
    assert.equal(e.outcomeUnknown, false);
    assert.equal(e.message, 'testvenue GET /v2/clock → tls: TLS certificate refused: its certificate is not signed by a CA this engine trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE); nothing was sent');
    assert.equal(attempts.length, 1, 'not retried');
    assert.equal(requests, 0);
    const dispatcher = venueDispatcher(ca.certPem);
    const trusted = new HttpClient({ venue: 'testvenue', baseUrl: url, dispatcher });
    assert.deepEqual((await trusted.request({ method: 'GET', path: '/v2/clock' })).body, { ok: true });
    assert.equal(requests, 1);
    // The CA is added to the public roots, not trusted alone, and it vouches only for what it signed.
    const other = await createCertificate({ commonName: 'Other CA', hosts: [], isCa: true });
    const wrong = new HttpClient({ venue: 'testvenue', baseUrl: url, dispatcher: venueDispatcher(other.certPem), retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await assert.rejects(wrong.request({ method: 'GET', path: '/v2/clock' }), (x: HttpError) => x.kind === 'tls');
    await dispatcher.close();
  } finally {
    await new Promise((r) => https.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reconnecting WebSocket names a refused certificate (the WebSocket API only says 1006), and connects with the CA', async () => {
  const { ca, server: cert, dir } = await testCa();
  const https = createServer({ cert: cert.certPem, key: cert.keyPem });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (s) => s.send('hello'));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const url = `wss://127.0.0.1:${(https.address() as { port: number }).port}/stream`;
  try {
    const gaveUp = await new Promise<string>((resolve) => {
      const s = new ReconnectingSocket({ url, name: 'test stream', onMessage: () => {}, maxAttempts: 1, onGiveUp: (why) => { void s.close(); resolve(why); } });
      s.start();
    });
    assert.equal(gaveUp, `test stream: the TLS certificate of ${new URL(url).host} was refused: its certificate is not signed by a CA this engine trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE); gave up after 1 failed attempts`);
    const dispatcher = venueDispatcher(ca.certPem);
    const heard = await new Promise<string>((resolve) => {
      const s = new ReconnectingSocket({ url, name: 'test stream', dispatcher, caPem: ca.certPem, onMessage: (t) => { void s.close(); resolve(t); } });
      s.start();
    });
    assert.equal(heard, 'hello');
    await dispatcher.close();
  } finally {
    wss.close();
    await new Promise((r) => https.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
