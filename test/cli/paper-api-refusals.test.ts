import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keel, ROOT } from '../helpers/cli.ts';

/**
 * keel paper --config's refusals of a bad api: section (TLS files, bind rule, allow-list), in one line and
 * before anything connects. The README's walkthrough over HTTPS with users is test/cli/readme-secure-api.test.ts.
 */
function configFor(dir: string, venueUrl: string, api: string): string {
  const file = join(dir, 'keel.yaml');
  writeFileSync(file, readFileSync(resolve(ROOT, 'examples/keel.yaml'), 'utf8')
    .replaceAll('127.0.0.1:7401', venueUrl.replace('http://', ''))
    .replace(/^journal: .*$/m, 'journal: run/journal.sqlite')
    .replace(/^api:[\s\S]*?(?=^alerts:)/m, `api:\n${api}\n`));
  return file;
}

test('keel paper --config refuses bad TLS files and a non-loopback API without TLS in one line, before connecting or listening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-tls-audit-'));
  try {
    assert.equal(keel(['tls', 'self-signed', '--out', join(dir, 'a')]).code, 0);
    assert.equal(keel(['tls', 'self-signed', '--out', join(dir, 'b')]).code, 0);
    const cases: Array<[string, RegExp]> = [
      ['  tls: { cert: a/cert.pem, key: b/key.pem }', /^keel: .*keel\.yaml: api\.tls\.key = ".*b\/key\.pem": is not the private key of the certificate .*a\/cert\.pem \(CN=localhost\) \(configure the key that was made with that certificate\)\n$/],
      ['  tls: { cert: a/missing.pem, key: a/key.pem }', /^keel: .*keel\.yaml: api\.tls\.cert = ".*a\/missing\.pem": does not exist/],
      ['  host: 0.0.0.0', /^keel: .*keel\.yaml: api\.host = "0\.0\.0\.0": is reachable from other machines, so it needs TLS \(api\.tls: cert and key; keel tls self-signed makes them\) and users \(keel users add\); nothing is listening/],
      ['  allow: [10.0.0.0/40]', /^keel: .*keel\.yaml: api\.allow\[0\] = "10\.0\.0\.0\/40": has a prefix longer than an IPV4 address/],
      ['  host: 127.0.0.1\nsecurity: { rearm: { fourEyes: true } }', /^keel: .*keel\.yaml: security\.rearm\.fourEyes: needs users: a second risk user confirms a re-arm, and without users there is none; nothing was started \(keel users add NAME --role risk/],
      ['  host: 127.0.0.1\nsecurity: { users: false }', /^keel: .*keel\.yaml line \d+: security\.users = false: must be true, or left out \(users rule whenever the vault holds any\)/],
      ['  host: 127.0.0.1\nsecurity: { lockout: { attempts: 0 } }', /^keel: .*keel\.yaml line \d+: security\.lockout\.attempts = 0: must be 1 or more/],
      ['  host: 127.0.0.1\nvault: nope.vault\nsecurity: { users: true }', /^keel: .*keel\.yaml: security\.users: is true, but the vault .*nope\.vault does not exist; nothing was started \(keel secrets init/],
    ];
    for (const [api, line] of cases) {
      // The venue port is closed: a refusal that comes after connecting would say so instead.
      const file = configFor(dir, 'http://127.0.0.1:1', `  port: 0\n${api}`);
      const r = keel(['paper', '--config', file]);
      assert.equal(r.code, 2, `${api}: ${r.stderr}`);
      assert.match(r.stderr, line, api);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
