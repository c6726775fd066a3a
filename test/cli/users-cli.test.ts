import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Secret } from '../../src/model/index.ts';
import { UserDirectory, openVault, totpCode } from '../../src/security/index.ts';
import { encodeContents } from '../../src/security/vault/vault-contents.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { tempFolder } from '../security/vault-helpers.ts';

const PASS = 'the users test passphrase';

test('keel users: add with a TOTP seed shown once, token, list, set-password, reset-totp, set-roles, revoke-token, remove', { timeout: 120_000 }, async () => {
  const t = tempFolder('keel-users-cli-');
  try {
    const vault = t.path('keel.vault');
    const env = { KEEL_VAULT_PASSPHRASE: PASS };
    const run = (args: string[], stdin = '') => keelWithInput([...args, '--vault', vault], { env, stdin });
    assert.equal((await run(['secrets', 'init'])).code, 0);

    const add = await run(['users', 'add', 'alice', '--role', 'trader,risk'], 'alice-first-password\n');
    assert.equal(add.code, 0, add.stderr);
    const m = /^added user alice \(trader, risk\) to .*\nTOTP for alice: add it to an authenticator app now, it is not shown again\n {2}(otpauth:\/\/totp\/Keel:alice\?secret=([A-Z2-7]{32})&\S+)\n {2}secret: ([A-Z2-7]{32})\n$/.exec(add.stdout);
    assert.ok(m, add.stdout);
    const seed = m[3];
    assert.equal(m[2], seed);
    assert.ok(!add.stdout.includes('alice-first-password'));

    const token = await run(['users', 'token', 'alice', '--label', 'ci runner']);
    const tm = /^API token ([0-9a-f]{16}) for alice \(shown once; only its hash is kept; revoke with keel users revoke-token \1\):\n(keel_\1_[0-9a-f]{64})\n$/.exec(token.stdout);
    assert.ok(tm, token.stdout);
    const [, tokenId, tokenText] = tm;

    const list = await run(['users', 'list']);
    assert.match(list.stdout, new RegExp(`^alice  roles: trader,risk  created \\S+\\n  token ${tokenId} "ci runner"  created \\S+\\n$`));
    for (const leak of [seed, tokenText, '$argon2id', 'alice-first-password']) assert.ok(!list.stdout.includes(leak), leak);

    // What the engine's API will see.
    const dir = await UserDirectory.open(vault, new Secret(PASS), { pollMs: 60_000 });
    try {
      assert.deepEqual(dir.authenticateToken(tokenText), { user: 'alice', roles: ['trader', 'risk'], via: 'token', tokenId });
      assert.ok(await dir.verifyPassword('alice', 'alice-first-password'));
      assert.equal(dir.verifyTotp('alice', totpCode(seed, Date.now())), true);

      assert.equal((await run(['users', 'set-password', 'alice'], 'alice-second-password\n')).stdout, 'set a new password for alice\n');
      const reset = await run(['users', 'reset-totp', 'alice']);
      const newSeed = /secret: ([A-Z2-7]{32})\n$/.exec(reset.stdout)?.[1];
      assert.ok(newSeed && newSeed !== seed, reset.stdout);
      assert.match(reset.stdout, /^new TOTP seed for alice; the old one no longer works\n/);
      assert.equal((await run(['users', 'set-roles', 'alice', '--role', 'viewer'])).stdout, 'alice now has roles viewer\n');
      await dir.reload();
      assert.equal(await dir.verifyPassword('alice', 'alice-first-password'), undefined);
      assert.deepEqual(await dir.verifyPassword('alice', 'alice-second-password'), { user: 'alice', roles: ['viewer'], via: 'password' });
      const later = Date.now() + 30_000; // a step the old seed's code above did not use
      assert.equal(dir.verifyTotp('alice', totpCode(seed, later), later), false);
      assert.equal(dir.verifyTotp('alice', totpCode(newSeed, later), later), true);

      assert.equal((await run(['users', 'revoke-token', tokenId])).stdout, `revoked token ${tokenId} of alice\n`);
      await dir.reload();
      assert.equal(dir.authenticateToken(tokenText), undefined);
      assert.match((await run(['users', 'list'])).stdout, new RegExp(`token ${tokenId} "ci runner"  created \\S+  REVOKED \\S+\\n`));
      const twice = await run(['users', 'revoke-token', tokenId]);
      assert.equal(twice.code, 2);
      assert.match(twice.stderr, new RegExp(`^keel: token id = "${tokenId}": was already revoked at \\S+\\n$`));

      assert.equal((await run(['users', 'remove', 'alice'])).stdout, 'removed user alice and its tokens\n');
      await dir.reload();
      assert.deepEqual(dir.users(), []);
    } finally {
      dir.close();
    }
    // The vault file (and even its decrypted contents) never held the token or a password.
    const file = readFileSync(vault).toString('latin1');
    assert.ok(!file.includes('alice') && !file.includes(seed));
    assert.ok(!encodeContents((await openVault(vault, new Secret(PASS))).contents).includes(tokenText));
  } finally {
    t.remove();
  }
});

test('keel users refusals: one line each, exit 2, nothing changed', { timeout: 120_000 }, async () => {
  const t = tempFolder('keel-users-cli-');
  try {
    const vault = t.path('keel.vault');
    const env = { KEEL_VAULT_PASSPHRASE: PASS };
    const run = (args: string[], stdin = '') => keelWithInput([...args, '--vault', vault], { env, stdin });
    assert.equal((await run(['secrets', 'init'])).code, 0);
    const bob = await run(['users', 'add', 'bob', '--role', 'admin'], 'bob-long-password\n');
    assert.equal(bob.code, 0, bob.stderr);
    const bobSeed = /secret: ([A-Z2-7]{32})\n$/.exec(bob.stdout)![1];
    const before = readFileSync(vault);
    // With an admin in the vault every change is bob's, with his code; a refused change does not use the code up.
    const as = ['--as', 'bob', '--totp', totpCode(bobSeed, Date.now())];
    const cases: [string[], string, RegExp][] = [
      [['users', 'add', 'carol', '--role', 'root'], 'carol-long-password\n', /^keel: --role = "root": is not a role \(roles: viewer, trader, risk, admin\)\n$/],
      [['users', 'add', 'carol'], 'carol-long-password\n', /^keel: --role: is required \(e\.g\. --role trader,risk\)\n$/],
      [['users', 'add', 'bob', '--role', 'viewer'], 'another-password\n', /^keel: user = "bob": is already a user; nothing was changed/],
      [['users', 'add', 'carol', '--role', 'viewer'], 'short\n', /^keel: password for carol: is 5 characters; a password needs at least 12\n$/],
      [['users', 'add', 'carol smith', '--role', 'viewer'], 'carol-long-password\n', /^keel: NAME = "carol smith": must be letters, digits/],
      [['users', 'token', 'nobody'], '', /^keel: user = "nobody": is not a user in the vault \(keel users list shows them\)\n$/],
      [['users', 'revoke-token', '0123456789abcdef'], '', /^keel: token id = "0123456789abcdef": is not a token in the vault/],
      [['users', 'token', 'bob', '--label', 'x'.repeat(101)], '', /^keel: --label = ".*": must be one line of at most 100 characters\n$/],
      [['users', 'bogus'], '', /^keel: keel users = "bogus": is not a users command/],
    ];
    for (const [args, stdin, expected] of cases) {
      const r = await run([...args, ...as], stdin);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
    }
    const wrong = await keelWithInput(['users', 'list', '--vault', vault], { env: { KEEL_VAULT_PASSPHRASE: 'not the passphrase!' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /wrong passphrase/);
    assert.ok(readFileSync(vault).equals(before));
  } finally {
    t.remove();
  }
});

test('keel users with an admin in the vault: every change needs --as ADMIN and that admin\'s TOTP code, each code once; the trail names the admin', { timeout: 120_000 }, async () => {
  const t = tempFolder('keel-users-stepup-');
  try {
    const vault = t.path('keel.vault');
    const env = { KEEL_VAULT_PASSPHRASE: PASS };
    const run = (args: string[], stdin = '') => keelWithInput([...args, '--vault', vault], { env, stdin });
    assert.equal((await run(['secrets', 'init'])).code, 0);
    // No admin yet: the passphrase alone (the first admin has to come from somewhere).
    assert.equal((await run(['users', 'add', 'tina', '--role', 'trader'], 'tina-long-password\n')).code, 0);
    const ada = await run(['users', 'add', 'ada', '--role', 'admin'], 'ada-long-password!\n');
    assert.equal(ada.code, 0, ada.stderr);
    const seed = /secret: ([A-Z2-7]{32})\n$/.exec(ada.stdout)![1];
    const before = readFileSync(vault);

    const refusals: [string[], RegExp][] = [
      [[], /^keel: --as: is required: user changes are made by an admin with their TOTP code \(admins: ada\)\n$/],
      [['--as', 'tina', '--totp', totpCode(seed, Date.now())], /^keel: --as = "tina": is not an admin user in the vault \(admins: ada\)\n$/],
      [['--as', 'ada'], /^keel: --totp: is required: ada's current authenticator code\n$/],
      [['--as', 'ada', '--totp', '000000'], /^keel: --totp: is not ada's current code, or was already used \(each code works once: wait for the next one\); nothing was changed\n$/],
    ];
    for (const [flags, expected] of refusals) {
      const r = await run(['users', 'set-roles', 'tina', '--role', 'viewer', ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
    }
    assert.ok(readFileSync(vault).equals(before), 'nothing changed');

    const code = totpCode(seed, Date.now());
    const journal = t.path('audit.sqlite');
    const changed = await run(['users', 'set-roles', 'tina', '--role', 'viewer', '--as', 'ada', '--totp', code, '--journal', journal]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'tina now has roles viewer\n');
    const replay = await run(['users', 'remove', 'tina', '--as', 'ada', '--totp', code]);
    assert.equal(replay.code, 2);
    assert.match(replay.stderr, /^keel: --totp: is not ada's current code, or was already used/);
    assert.match((await run(['users', 'list'])).stdout, /^tina {2}roles: viewer /m, 'the replayed code removed nothing');
    // The server refuses the step the CLI used too (the vault remembers it).
    const dir = await UserDirectory.open(vault, new Secret(PASS), { pollMs: 60_000 });
    try {
      assert.equal(dir.verifyTotp('ada', code), false);
    } finally {
      dir.close();
    }
    const trail = await keelWithInput(['audit', 'export', '--journal', journal, '--format', 'json'], { env });
    assert.equal(trail.code, 0, trail.stderr);
    const records = JSON.parse(trail.stdout) as Array<{ actor: string; action: string; target: string; details: { osUser?: string } }>;
    assert.deepEqual(records.map((r) => [r.actor, r.action, r.target]), [['user:ada', 'role.change', 'tina']]);
    assert.ok(records[0].details.osUser !== undefined, 'the OS user is kept beside the admin');
  } finally {
    t.remove();
  }
});
