import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Secret } from '../../src/model/index.ts';
import { initVault, setSecret, updateVault } from '../../src/security/index.ts';
import { environmentSecrets, rememberSecrets, scrubFailure } from '../../src/cli/failure-scrub.ts';
import { ROOT } from '../helpers/cli.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { FAST_KDF, PASSPHRASE, tempFolder } from '../security/vault-helpers.ts';

/**
 * The last line of a failing `keel` (and its stack, with KEEL_DEBUG=1) goes to stderr past the logger, so its
 * scrubber never sees it. Here a strategy file fails to load with an error that quotes a secret resolved from
 * the vault and a credential from the environment (standing for any code path that quotes one): the line
 * still names the error and where it was thrown, with both values replaced.
 */

const VAULT_SECRET = 'vault-secret-quoted-by-an-error-4e1d';
const ENV_TOKEN = 'env-token-quoted-by-an-error-9b0a';

test('scrubFailure replaces remembered vault secrets and the environment\'s credentials in a stack, not short values or *_FILE paths', () => {
  rememberSecrets([new Secret(VAULT_SECRET)]);
  const env = { ...process.env };
  try {
    process.env.SOME_API_TOKEN = ENV_TOKEN;
    process.env.KEEL_VAULT_PASSPHRASE_FILE = '/run/secrets/keel-passphrase';
    process.env.SHORT_SECRET = 'abc';
    const stack = `Error: key ${VAULT_SECRET} token ${ENV_TOKEN} file /run/secrets/keel-passphrase abc\n    at f (file:///x/${VAULT_SECRET}.ts:1:1)\n`;
    assert.equal(scrubFailure(stack), 'Error: key [redacted] token [redacted] file /run/secrets/keel-passphrase abc\n    at f (file:///x/[redacted].ts:1:1)\n');
    assert.deepEqual(environmentSecrets({ A_TOKEN: 'x'.repeat(8), A_TOKEN_FILE: '/p', PATH: '/bin', B_PASSWORD: '' }), ['x'.repeat(8)]);
  } finally {
    for (const k of ['SOME_API_TOKEN', 'KEEL_VAULT_PASSPHRASE_FILE', 'SHORT_SECRET']) if (env[k] === undefined) delete process.env[k]; else process.env[k] = env[k];
  }
});

test('a failure quoting a vault secret or an environment credential prints neither, with or without KEEL_DEBUG', { timeout: 60_000 }, async () => {
  const t = tempFolder('keel-failure-scrub-');
  try {
    await initVault(t.path('keel.vault'), PASSPHRASE, { kdf: FAST_KDF });
    await updateVault(t.path('keel.vault'), PASSPHRASE, (c) => setSecret(setSecret(c, 'ALPACA_KEY_ID', new Secret('PKSCRUB00001'), new Date()), 'ALPACA_SECRET', new Secret(VAULT_SECRET), new Date()));
    writeFileSync(t.path('broken.ts'), `import { Strategy } from ${JSON.stringify(resolve(ROOT, 'src/index.ts'))};
throw new Error('cannot start: key ${VAULT_SECRET}, token ' + process.env.KEEL_API_TOKEN);
export default class Broken extends Strategy<Record<string, never>> { static override params = {}; }
`);
    writeFileSync(t.path('keel.yaml'), [
      'strategy: { name: ./broken.ts }',
      'venue: { kind: alpaca, keyId: "secret:ALPACA_KEY_ID", secret: "secret:ALPACA_SECRET", tradingUrl: "http://127.0.0.1:9", symbols: [ORCL] }',
      'journal: j.sqlite',
      'vault: keel.vault',
      '',
    ].join('\n'));
    for (const debug of ['', '1']) {
      const r = await keelWithInput(['paper', '--config', t.path('keel.yaml')], { cwd: t.dir, env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal(), KEEL_API_TOKEN: ENV_TOKEN, KEEL_DEBUG: debug } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^keel: --strategy = ".*broken\.ts": could not be loaded: cannot start: key \[redacted\], token \[redacted\]\n$/);
      for (const s of [VAULT_SECRET, ENV_TOKEN]) assert.ok(!r.stderr.includes(s) && !r.stdout.includes(s), `${s} in the output (KEEL_DEBUG=${debug}):\n${r.stderr}`);
    }
  } finally {
    t.remove();
  }
});
