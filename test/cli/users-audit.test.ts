import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openAuditLog, type AuditRecord } from '../../src/security/index.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { tempFolder } from '../security/vault-helpers.ts';

test('keel users --journal: every user, role and token change is a record in that journal\'s audit trail (who, what, never a secret); the chain verifies', { timeout: 120_000 }, async () => {
  const t = tempFolder('keel-users-audit-');
  try {
    const journal = join(t.dir, 'journal.sqlite');
    const env = { KEEL_VAULT_PASSPHRASE: 'users audit passphrase 1234', KEEL_AUDIT_JOURNAL: journal };
    const run = async (args: string[], stdin = '') => {
      const r = await keelWithInput(args, { cwd: t.dir, env, stdin });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r;
    };
    await run(['secrets', 'init']);
    await run(['users', 'add', 'alice', '--role', 'trader'], 'alice-password-0001\n');
    const token = await run(['users', 'token', 'alice', '--label', 'laptop']);
    const id = /^API token ([0-9a-f]{16})/.exec(token.stdout)![1];
    await run(['users', 'set-roles', 'alice', '--role', 'trader,risk']);
    await run(['users', 'revoke-token', id]);
    await run(['users', 'reset-totp', 'alice']);
    await run(['users', 'set-password', 'alice'], 'alice-password-0002\n');
    await run(['users', 'remove', 'alice']);
    await run(['users', 'list']);
    // A journal that cannot be opened refuses the change before the vault is touched.
    const bad = await keelWithInput(['users', 'add', 'bob', '--role', 'viewer', '--journal', join(t.dir, 'no', 'such', 'dir', 'j.sqlite')], { cwd: t.dir, env, stdin: 'bob-password-00001\n' });
    assert.notEqual(bad.code, 0);
    assert.doesNotMatch((await run(['users', 'list'])).stdout, /bob/);

    const log = await openAuditLog({ journal, readOnly: true });
    try {
      const records: AuditRecord[] = await log.read();
      assert.deepEqual(records.map((r) => [r.action, r.target, r.origin, r.actor.startsWith('cli:')]), [
        ['user.add', 'alice', 'cli', true], ['token.issue', 'alice', 'cli', true], ['role.change', 'alice', 'cli', true], ['token.revoke', 'alice', 'cli', true],
        ['mfa.enrol', 'alice', 'cli', true], ['user.password', 'alice', 'cli', true], ['user.remove', 'alice', 'cli', true],
      ]);
      assert.deepEqual(records[2].details, { from: 'trader', to: 'trader,risk' });
      assert.deepEqual(records[1].details, { tokenId: id, label: 'laptop' });
      const text = JSON.stringify(records);
      assert.ok(!text.includes('alice-password') && !text.includes(token.stdout.trim().split('\n')[1]), 'no password or token in the trail');
      assert.equal((await log.verify()).ok, true);
    } finally {
      await log.close();
    }
  } finally {
    t.remove();
  }
});
