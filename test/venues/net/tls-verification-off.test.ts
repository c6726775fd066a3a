import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { KeelError } from '../../../src/model/index.ts';
import { createCertificate } from '../../../src/security/index.ts';
import { createAlpacaVenue } from '../../../src/venues/index.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue } from '../../../src/venues/ccxt/index.ts';
import { alpacaConfig, startAlpacaVenue } from '../../helpers/alpaca-paper.ts';
import { ROOT } from '../../helpers/cli.ts';

/**
 * NODE_TLS_REJECT_UNAUTHORIZED=0 switches certificate checks off for every connection that does not insist,
 * fetch's and WebSocket's included: shown here against an HTTPS venue whose CA nobody trusts. The adapters
 * refuse to start under it, in one line, before anything is sent.
 */
const isOff = (venue: string) => (e: unknown) => e instanceof KeelError && e.code === 'VENUE_TLS_OFF' && !e.message.includes('\n')
  && e.message === `NODE_TLS_REJECT_UNAUTHORIZED = "0": turns off TLS certificate checks, so ${venue} cannot be told from a man in the middle; nothing was sent (unset it; for a private or test venue, give its CA certificate in tls.ca)`;

test('with NODE_TLS_REJECT_UNAUTHORIZED=0 any certificate passes, so the Alpaca and ccxt adapters refuse to connect; nothing reaches the venue', async (t) => {
  const ca = await createCertificate({ commonName: 'Untrusted CA', hosts: [], isCa: true });
  const cert = await createCertificate({ hosts: ['localhost', '127.0.0.1'], issuer: ca });
  const server = await startAlpacaVenue({ tls: { cert: cert.certPem, key: cert.keyPem } });
  t.after(() => server.close());
  const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  t.after(() => { if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED; else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before; });

  await assert.rejects(fetch(`${server.url}/v2/clock`), 'checks on: the untrusted certificate is refused');
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const through = await fetch(`${server.url}/v2/clock`, { headers: { 'APCA-API-KEY-ID': 'x', 'APCA-API-SECRET-KEY': 'y' } });
  assert.ok(through.status > 0, 'checks off: the same certificate is accepted, a man in the middle would be too');
  const seen = server.stats().requests;

  await assert.rejects(createAlpacaVenue(alpacaConfig(server)), isOff('alpaca'));
  await assert.rejects(CcxtVenue.connect({ exchange: 'kraken', streaming: 'poll', marketData: 'none', symbols: ['BTC/USD'], urls: { public: server.url, private: server.url } }, { budget: new RateBudget() }), isOff('kraken'));
  assert.equal(server.stats().requests, seen, 'no adapter request was sent');
  assert.equal(server.stats().orders, 0);
});

test('keel paper --config under NODE_TLS_REJECT_UNAUTHORIZED=0: one line, exit 2, before connecting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-tls-off-'));
  try {
    const file = join(dir, 'keel.yaml');
    writeFileSync(file, readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8').replaceAll('127.0.0.1:7401', '127.0.0.1:1').replace(/^api:[\s\S]*?(?=^alerts:)/m, ''));
    const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'paper', '--config', file], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', APCA_API_KEY_ID: 'PKDEMO', APCA_API_SECRET_KEY: 'demo-secret', KEEL_DEBUG: '' },
    });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('keel: '));
    assert.deepEqual(lines, ['keel: NODE_TLS_REJECT_UNAUTHORIZED = "0": turns off TLS certificate checks, so alpaca cannot be told from a man in the middle; nothing was sent (unset it; for a private or test venue, give its CA certificate in tls.ca)']);
    assert.doesNotMatch(r.stderr, /ECONNREFUSED|cannot be reached/, 'refused before connecting');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
