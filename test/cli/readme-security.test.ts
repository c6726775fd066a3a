import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../../src/model/index.ts';
import { parseRunConfig, resolveRunSecrets } from '../../src/runtime/index.ts';
import { UserDirectory, openVault } from '../../src/security/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { tempFolder } from '../security/vault-helpers.ts';

/**
 * The README's "Secrets and users" section, run as written (its commands from the README itself, in a fresh
 * folder; what a person would type at the prompts is piped in, the passphrase comes from the environment), and
 * its run config fragment resolved against the vault those commands made.
 */

const PASSPHRASE = 'the readme walkthrough passphrase';
const VALUES: Record<string, string> = {
  ALPACA_SECRET: 'readme-alpaca-secret-aa11', ALPACA_KEY_ID: 'PKREADME0001', SLACK_WEBHOOK: 'https://hooks.slack.example/services/T/B/readme',
};

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Secrets and users');
  assert.ok(start >= 0, 'README has the section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

test('the README security walkthrough works as written', { timeout: 120_000 }, async () => {
  const t = tempFolder('keel-readme-security-');
  try {
    const text = section();
    const lines = blocks(text, 'sh').join('').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
    assert.ok(lines.length >= 8, lines.join('\n'));
    let tokenId = '';
    for (const line of lines) {
      const piped = /^printf '%s' "\$(\w+)" \| (.*)$/.exec(line);
      const command = piped ? piped[2] : line;
      assert.match(command, /^npx keel /, line);
      const args = command.replace(/^npx keel /, '').split(/\s+/).map((a) => (a === 'TOKEN_ID' ? tokenId : a));
      // What the person types: the value of the secret being set, or a user's password.
      const name = args[0] === 'secrets' && args[1] === 'set' ? args[2] : undefined;
      const stdin = piped ? VALUES[piped[1]] : name ? VALUES[name] : args[0] === 'users' && args[1] === 'add' ? 'alice-readme-password\n' : '';
      const r = await keelWithInput(args, { cwd: t.dir, env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE }, stdin });
      assert.equal(r.code, 0, `${line}\n${r.stderr}`);
      if (args[1] === 'token') tokenId = /^API token ([0-9a-f]{16})/.exec(r.stdout)![1];
      if (args[1] === 'list' && args[0] === 'secrets') assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(' ')[0]), ['ALPACA_KEY_ID', 'ALPACA_SECRET', 'SLACK_WEBHOOK']);
      if (args[1] === 'revoke-token') assert.equal(r.stdout, `revoked token ${tokenId} of alice\n`);
    }
    assert.ok(tokenId, 'the walkthrough made a token');
    const vault = join(t.dir, 'keel.vault');
    const opened = await openVault(vault, new Secret(PASSPHRASE));
    for (const [n, v] of Object.entries(VALUES)) assert.equal(opened.contents.secrets.get(n)?.value.reveal(), v);
    const users = await UserDirectory.open(vault, new Secret(PASSPHRASE), { pollMs: 60_000 });
    try {
      assert.deepEqual(users.users().map((u) => [u.name, u.roles, u.tokens.length, u.tokens[0].revokedAt !== undefined]), [['alice', ['trader', 'risk'], 1, true]]);
    } finally {
      users.close();
    }

    // The run config fragment, completed with a strategy and a journal, resolves against that vault.
    const [yaml] = blocks(text, 'yaml');
    const cfg = parseRunConfig(`strategy: { name: sma-cross }\njournal: j.sqlite\n${yaml}`, 'keel.yaml');
    assert.equal(cfg.vault, '../keel.vault');
    const r = await resolveRunSecrets(cfg, { path: vault, open: async () => opened });
    assert.deepEqual(r.uses.map((u) => u.name).sort(), ['ALPACA_KEY_ID', 'ALPACA_SECRET', 'SLACK_WEBHOOK']);
    assert.deepEqual(r.secrets.map((s) => s.reveal()).sort(), Object.values(VALUES).sort());
  } finally {
    t.remove();
  }
});
