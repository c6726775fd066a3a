import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../src/security/index.ts';
import { keelAsync } from '../helpers/cli.ts';
import { startAuthHarness } from '../server/auth-harness.ts';

/** `keel kill --api` and `keel rearm --api` against a real HTTPS server with users (in this process), as a person runs them. */
test('keel kill/rearm --api over HTTPS: the user\'s token from a file, the TOTP code, four-eyes, and one line for each refusal', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-control-api-'));
  const pair = await selfSignedCertificate();
  const h = await startAuthHarness({ tls: { cert: pair.certPem, key: pair.keyPem }, auth: { fourEyesRearmMs: 60_000 } });
  try {
    const ca = join(dir, 'cert.pem');
    writeFileSync(ca, pair.certPem);
    for (const name of ['rita', 'rob', 'vera']) writeFileSync(join(dir, `${name}.token`), `${h.users.users[name].token}\n`, { mode: 0o600 });
    const run = (args: string[]) => keelAsync([...args, '--api', h.api.url, '--cacert', ca], { cwd: dir });

    const untrusted = await keelAsync(['kill', '--api', h.api.url, '--token-file', 'rita.token', '--totp', h.users.code('rita'), '--reason', 'drill'], { cwd: dir });
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stderr, /^keel: --api = "https:\/\/127\.0\.0\.1:\d+": cannot be reached: .*\(a self-signed certificate: pass --cacert tls\/cert\.pem\)\n$/);
    const noFile = await run(['kill', '--reason', 'drill']);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /^keel: --token-file: is required with --api \(a file holding your token/);
    const badUrl = await keelAsync(['kill', '--api', 'ftp://x', '--token-file', 'rita.token'], { cwd: dir });
    assert.match(badUrl.stderr, /^keel: --api = "ftp:\/\/x": is not an http\(s\) URL/);

    const viewer = await run(['kill', '--token-file', 'vera.token', '--totp', h.users.code('vera'), '--reason', 'drill']);
    assert.equal(viewer.code, 1);
    assert.equal(viewer.stderr, 'keel: kill refused by the API (403): user vera (viewer) may not POST /api/kill: it needs permission risk.kill (role risk)\n');
    const noCode = await run(['kill', '--token-file', 'rita.token', '--reason', 'drill']);
    assert.equal(noCode.code, 1);
    assert.match(noCode.stderr, /\(401\): POST \/api\/kill needs a TOTP code/);
    const killed = await run(['kill', '--token-file', 'rita.token', '--totp', h.users.code('rita'), '--reason', 'drill', '--flatten']);
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal(killed.stdout, 'killSwitch done\n');
    assert.deepEqual((h.engine.callsOf('killSwitch')[0].args[0] as { flatten: boolean; reason: string }).flatten, true);

    h.engine.statusView = { ...h.engine.statusView, tradingState: 'HALTED' };
    const asked = await run(['rearm', '--token-file', 'rita.token', '--totp', h.users.code('rita', 1), '--reason', 'books checked']);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /^requested: re-arm requested by rita: a different risk user must confirm/);
    const confirmed = await run(['rearm', '--token-file', 'rob.token', '--totp', h.users.code('rob'), '--reason', 'agreed']);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.equal(confirmed.stdout, 'rearm done\n');
    for (const r of [killed, asked, confirmed, viewer, noCode]) assert.ok(!(r.stdout + r.stderr).includes('keel_'), 'the token is never printed');
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel limits --api over HTTPS: the file checked here first, then a risk user with a TOTP code changes the limits; a viewer or no code is refused', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-limits-api-'));
  const pair = await selfSignedCertificate();
  const h = await startAuthHarness({ tls: { cert: pair.certPem, key: pair.keyPem } });
  try {
    const ca = join(dir, 'cert.pem');
    writeFileSync(ca, pair.certPem);
    for (const name of ['rita', 'vera']) writeFileSync(join(dir, `${name}.token`), `${h.users.users[name].token}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'keel.yaml'), 'strategy: sma-cross\nrisk:\n  account:\n    maxOrderNotional: 25000\n    maxOpenOrders: 4\n');
    writeFileSync(join(dir, 'typo.yaml'), 'account:\n  maxOrderNotionl: 25000\n');
    const run = (args: string[]) => keelAsync(['limits', ...args, '--api', h.api.url, '--cacert', ca], { cwd: dir });

    const typo = await run(['--token-file', 'rita.token', '--totp', h.users.code('rita'), '--file', 'typo.yaml', '--reason', 'tighter']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stderr, 'keel: typo.yaml line 2: account.maxOrderNotionl = 25000: is not a known key (did you mean maxOrderNotional?)\n');
    const noReason = await run(['--token-file', 'rita.token', '--file', 'keel.yaml']);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /^keel: --reason: is required/);
    const viewer = await run(['--token-file', 'vera.token', '--totp', h.users.code('vera'), '--file', 'keel.yaml', '--reason', 'tighter']);
    assert.equal(viewer.code, 1);
    assert.equal(viewer.stderr, 'keel: limit change refused by the API (403): user vera (viewer) may not POST /api/risk/limits: it needs permission risk.limits (role risk)\n');
    const noCode = await run(['--token-file', 'rita.token', '--totp', '', '--file', 'keel.yaml', '--reason', 'tighter']);
    assert.equal(noCode.code, 1);
    assert.match(noCode.stderr, /\(401\): POST \/api\/risk\/limits needs a TOTP code/);
    assert.equal(h.engine.callsOf('changeLimits').length, 0, 'nothing reached the engine');

    const changed = await run(['--token-file', 'rita.token', '--totp', h.users.code('rita'), '--file', 'keel.yaml', '--reason', 'tighter']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'changeLimits done\n');
    const call = h.engine.callsOf('changeLimits')[0].args[0] as { risk: unknown; reason: string; by: { actor: string } };
    assert.deepEqual(call.risk, { account: { maxOrderNotional: 25000, maxOpenOrders: 4 } });
    assert.deepEqual([call.reason, call.by.actor], ['tighter', 'user:rita']);
    for (const r of [changed, viewer, noCode]) assert.ok(!(r.stdout + r.stderr).includes('keel_'), 'the token is never printed');
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel deploy over HTTPS: --cacert trusts the self-signed certificate, --token-file carries a user\'s token, roles apply', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-deploy-api-'));
  const pair = await selfSignedCertificate();
  const h = await startAuthHarness({ tls: { cert: pair.certPem, key: pair.keyPem } });
  try {
    const ca = join(dir, 'cert.pem');
    writeFileSync(ca, pair.certPem);
    for (const name of ['rita', 'vera']) writeFileSync(join(dir, `${name}.token`), `${h.users.users[name].token}\n`, { mode: 0o600 });
    const untrusted = await keelAsync(['deploy', 'promote', '--api', h.api.url, '--token-file', 'rita.token'], { cwd: dir });
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stderr, /^keel: --api = "https:\/\/127\.0\.0\.1:\d+": cannot be reached: .*\(a self-signed certificate: pass --cacert tls\/cert\.pem\)\n$/);
    const viewer = await keelAsync(['deploy', 'promote', '--api', h.api.url, '--cacert', ca, '--token-file', 'vera.token'], { cwd: dir });
    assert.equal(viewer.code, 1);
    assert.match(viewer.stderr, /^keel deploy: refused \(403\): user vera \(viewer\) may not POST \/api\/rollout\/promote: it needs permission strategy\.deploy/);
    // rita may deploy: the harness engine answers that it takes no rollout, past the authorisation.
    const risk = await keelAsync(['deploy', 'promote', '--api', h.api.url, '--cacert', ca, '--token-file', 'rita.token'], { cwd: dir });
    assert.equal(risk.code, 1);
    assert.match(risk.stderr, /^keel deploy: refused \(409\): .*takes no rollout/);
    for (const r of [viewer, risk]) assert.ok(!(r.stdout + r.stderr).includes('keel_'), 'the token is never printed');
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
