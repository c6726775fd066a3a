import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelError } from '../../../src/model/index.ts';
import { createCertificate } from '../../../src/security/index.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { CcxtVenue } from '../../../src/venues/ccxt/index.ts';
import { on, startLoopback } from './loopback.ts';

/**
 * ccxt verifies the exchange's certificate, and a configured CA reaches the HTTP agent ccxt uses: a Kraken
 * stand-in over HTTPS on loopback (the two public calls loadMarkets makes), with a certificate of a CA made
 * here.
 */
const ok = (result: unknown) => ({ json: { error: [], result } });
const ROUTES = [
  on('GET', '/0/public/Assets', ok({
    XXBT: { aclass: 'currency', altname: 'XBT', decimals: 10, display_decimals: 5, status: 'enabled' },
    ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, status: 'enabled' },
  })),
  on('GET', '/0/public/AssetPairs', ok({
    XXBTZUSD: { altname: 'XBTUSD', wsname: 'XBT/USD', aclass_base: 'currency', base: 'XXBT', aclass_quote: 'currency', quote: 'ZUSD', lot: 'unit', cost_decimals: 5, pair_decimals: 1, lot_decimals: 8, lot_multiplier: 1, leverage_buy: [], leverage_sell: [], fees: [[0, 0.26]], fees_maker: [[0, 0.16]], fee_volume_currency: 'ZUSD', margin_call: 80, margin_stop: 40, ordermin: '0.00005', costmin: '0.5', tick_size: '0.1', status: 'online' },
  })),
];

test('ccxt (kraken) over HTTPS: loads markets with the venue CA configured; without it, one line naming the certificate problem and no request served', async (t) => {
  const ca = await createCertificate({ commonName: 'Keel Test Exchange CA', hosts: [], isCa: true });
  const cert = await createCertificate({ hosts: ['localhost', '127.0.0.1'], issuer: ca });
  const dir = mkdtempSync(join(tmpdir(), 'keel-ccxt-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const server = await startLoopback(ROUTES, { tls: { cert: cert.certPem, key: cert.keyPem } });
  t.after(() => server.close());
  const config = (extra: Record<string, unknown>) => ({
    exchange: 'kraken', streaming: 'poll', marketData: 'none', symbols: ['BTC/USD'], urls: { public: server.url, private: server.url },
    rateLimitMs: 1, retry: { attempts: 2, baseMs: 5, maxMs: 10 }, ...extra,
  });

  const refused = await CcxtVenue.connect(config({}), { budget: new RateBudget() }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof KeelError, String(refused));
  assert.equal(refused.code, 'VENUE_TLS');
  assert.equal(refused.message, `ccxt.tls.ca: kraken at ${server.url}: TLS certificate refused: its certificate is not signed by a CA this engine trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE); nothing was sent (for a private or test venue, give its CA certificate in tls.ca; never turn verification off)`);
  assert.equal(server.seen.length, 0, 'no request got through the handshake');

  const venue = await CcxtVenue.connect(config({ tls: { ca: caFile } }), { budget: new RateBudget() });
  t.after(() => venue.close());
  assert.equal(venue.markets[0].instrument.priceTick, '0.1');
  assert.ok(server.seen.some((s) => s.path === '/0/public/AssetPairs'), 'the markets came over HTTPS through the configured CA');

  await assert.rejects(CcxtVenue.connect(config({ tls: { ca: join(dir, 'nope.pem') } })), /^KeelError: ccxt\.tls\.ca = ".*nope\.pem": does not exist|ccxt\.tls\.ca = ".*nope\.pem": does not exist/);
});
