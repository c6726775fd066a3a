import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Secret } from '../../src/model/index.ts';
import { openVault } from '../../src/security/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { tempFolder } from '../security/vault-helpers.ts';

const PASS = 'a passphrase for the cli test';
const VALUE = 'alpaca-secret-value-7b3f91';

test('keel secrets: init, set from stdin, list, get, get --reveal, remove; the value is printed only with --reveal', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const vault = t.path('keel.vault');
    const env = { KEEL_VAULT_PASSPHRASE: PASS };
    const init = await keelWithInput(['secrets', 'init', '--vault', vault], { env });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(init.stdout, `created ${vault} (empty, mode 0600): keep the passphrase safe, nothing can open the vault without it\n`);
    assert.equal(statSync(vault).mode & 0o777, 0o600);

    const set = await keelWithInput(['secrets', 'set', 'ALPACA_SECRET', '--vault', vault], { env, stdin: `${VALUE}\n` });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, `set ALPACA_SECRET in ${vault}\n`);
    // A multi-line value (a PEM key) is kept whole, less one trailing newline.
    const pem = '-----BEGIN KEY-----\nabc\n-----END KEY-----';
    assert.equal((await keelWithInput(['secrets', 'set', 'PEM_KEY', '--vault', vault], { env, stdin: `${pem}\n` })).code, 0);
    const replaced = await keelWithInput(['secrets', 'set', 'PEM_KEY', '--vault', vault], { env, stdin: `${pem}\n` });
    assert.equal(replaced.stdout, `replaced PEM_KEY in ${vault}\n`);

    const list = await keelWithInput(['secrets', 'list', '--vault', vault], { env });
    assert.match(list.stdout, /^ALPACA_SECRET {2}\(updated \d{4}-\d\d-\d\dT[\d:.]+Z\)\nPEM_KEY {2}\(updated [^)]+\)\n$/);
    const get = await keelWithInput(['secrets', 'get', 'ALPACA_SECRET', '--vault', vault], { env });
    assert.match(get.stdout, /^ALPACA_SECRET is set \(updated [^)]+\); add --reveal to print its value\n$/);
    const reveal = await keelWithInput(['secrets', 'get', 'ALPACA_SECRET', '--reveal', '--vault', vault], { env });
    assert.equal(reveal.stdout, `${VALUE}\n`);
    assert.equal((await keelWithInput(['secrets', 'get', 'PEM_KEY', '--reveal', '--vault', vault], { env })).stdout, `${pem}\n`);
    for (const r of [init, set, list, get]) assert.ok(!r.stdout.includes(VALUE) && !r.stderr.includes(VALUE));

    const removed = await keelWithInput(['secrets', 'remove', 'PEM_KEY', '--vault', vault], { env });
    assert.equal(removed.stdout, `removed PEM_KEY from ${vault}\n`);
    const gone = await keelWithInput(['secrets', 'get', 'PEM_KEY', '--vault', vault], { env });
    assert.equal(gone.code, 2);
    assert.equal(gone.stderr, 'keel: secret name = "PEM_KEY": is not in the vault (keel secrets list shows the names)\n');
  } finally {
    t.remove();
  }
});

test('the passphrase: --passphrase-file beats KEEL_VAULT_PASSPHRASE_FILE beats KEEL_VAULT_PASSPHRASE; the vault: --vault, KEEL_VAULT, ./keel.vault', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const file = t.path('pass.txt');
    writeFileSync(file, `${PASS}\n`, { mode: 0o600 }); // a file's trailing newline is not part of it
    const wrongFile = t.path('wrong.txt');
    writeFileSync(wrongFile, 'not the passphrase at all\n', { mode: 0o600 });
    // Default location: keel.vault in the current folder.
    const init = await keelWithInput(['secrets', 'init', '--passphrase-file', file], { cwd: t.dir });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(statSync(t.path('keel.vault')).mode & 0o777, 0o600);
    assert.equal((await openVault(t.path('keel.vault'), new Secret(PASS))).contents.secrets.size, 0);

    const viaEnvFile = await keelWithInput(['secrets', 'list'], { cwd: t.dir, env: { KEEL_VAULT_PASSPHRASE_FILE: file, KEEL_VAULT_PASSPHRASE: 'wrong passphrase here' } });
    assert.equal(viaEnvFile.code, 0, viaEnvFile.stderr);
    const flagWins = await keelWithInput(['secrets', 'list', '--passphrase-file', file], { cwd: t.dir, env: { KEEL_VAULT_PASSPHRASE_FILE: wrongFile } });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    const wrong = await keelWithInput(['secrets', 'list', '--passphrase-file', wrongFile], { cwd: t.dir });
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, 'keel: vault = "keel.vault": cannot be opened: wrong passphrase (or its header was changed) (check KEEL_VAULT_PASSPHRASE or --passphrase-file)\n');

    // KEEL_VAULT points elsewhere; --vault beats it.
    const other = t.path('other.vault');
    assert.equal((await keelWithInput(['secrets', 'init'], { env: { KEEL_VAULT: other, KEEL_VAULT_PASSPHRASE: PASS } })).code, 0);
    assert.equal((await keelWithInput(['secrets', 'set', 'ONLY_IN_OTHER'], { env: { KEEL_VAULT: other, KEEL_VAULT_PASSPHRASE: PASS }, stdin: 'value-in-other' })).code, 0);
    const inDefault = await keelWithInput(['secrets', 'list', '--vault', t.path('keel.vault')], { env: { KEEL_VAULT: other, KEEL_VAULT_PASSPHRASE: PASS } });
    assert.equal(inDefault.stdout, `no secrets in ${t.path('keel.vault')}\n`);
    assert.equal(statSync(other).mode & 0o777, 0o600);
  } finally {
    t.remove();
  }
});

test('refusals are one line, exit 2, and change nothing: a value on argv, no passphrase, bad names, a vault others can read', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const vault = t.path('keel.vault');
    const env = { KEEL_VAULT_PASSPHRASE: PASS };
    assert.equal((await keelWithInput(['secrets', 'init', '--vault', vault], { env })).code, 0);
    const before = readFileSync(vault);
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['secrets', 'set', 'X_KEY', VALUE, '--vault', vault], env,
        /^keel: argument = "\(the value\)": is refused: a secret value is never taken from the command line, where ps shows it to every user \(pipe it in: printf '%s' "\$VALUE" \| keel secrets set X_KEY\)\n$/],
      [['secrets', 'list', '--vault', vault], {},
        /^keel: vault passphrase: is needed: set KEEL_VAULT_PASSPHRASE, KEEL_VAULT_PASSPHRASE_FILE or --passphrase-file FILE, or run in a terminal to be asked\n$/],
      [['secrets', 'set', 'bad name', '--vault', vault], env, /^keel: secret name = "bad name": must be letters, digits, _ \. - \(1 to 128 characters\)/],
      [['secrets', 'set', 'EMPTY_ONE', '--vault', vault], env, /^keel: value of EMPTY_ONE: was empty on stdin; nothing was changed/],
      [['secrets', 'init', '--vault', vault], env, /^keel: vault = ".*": already exists; nothing was changed/],
      [['secrets', 'init', '--vault', t.path('weak.vault')], { KEEL_VAULT_PASSPHRASE: 'short' }, /^keel: passphrase: is 5 characters; a vault passphrase needs at least 12/],
      [['secrets', 'frobnicate', '--vault', vault], env, /^keel: keel secrets = "frobnicate": is not a secrets command \(init, set, get, list, remove or rotate-key\)\n$/],
      [['secrets', 'get', '--vault', vault], env, /^keel: NAME: is required \(keel secrets get NAME\)\n$/],
      [['secrets', 'list', '--vault', t.path('missing.vault')], env, /^keel: vault = ".*missing\.vault": does not exist \(create it with keel secrets init, or point to it with --vault or KEEL_VAULT\)\n$/],
    ];
    for (const [args, e, expected] of cases) {
      const r = await keelWithInput(args, { env: e });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
      assert.ok(!r.stderr.includes(VALUE) && !r.stdout.includes(VALUE));
    }
    assert.ok(readFileSync(vault).equals(before), 'nothing was changed');
    chmodSync(vault, 0o644);
    const open = await keelWithInput(['secrets', 'list', '--vault', vault], { env });
    assert.equal(open.code, 2);
    assert.equal(open.stderr, `keel: vault = "${vault}": is accessible by group or others (mode 0644); a vault must be mode 0600 (chmod 600 ${vault})\n`);
  } finally {
    t.remove();
  }
});

/** Run keel on a pseudo-terminal (util-linux `script`), answering prompts; returns everything the terminal showed. */
function onTerminal(args: string[], answers: [RegExp, string][], env: Record<string, string> = {}): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, resolve(ROOT, 'bin/keel.js'), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, KEEL_VAULT_PASSPHRASE: '', KEEL_VAULT_PASSPHRASE_FILE: '', KEEL_DEBUG: '', ...env } });
  let screen = '';
  let next = 0;
  child.stdout.on('data', (d) => {
    screen += d;
    // Answer only once the prompt is on screen: typed earlier, the terminal would still echo it.
    while (next < answers.length && answers[next][0].test(screen)) child.stdin.write(`${answers[next++][1]}\r`);
  });
  return new Promise((res) => child.on('exit', (code) => res({ code, screen })));
}

test('on a terminal: the passphrase (asked twice for a new vault) and the value are typed without echo', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const vault = t.path('keel.vault');
    const init = await onTerminal(['secrets', 'init', '--vault', vault], [[/new vault passphrase: $/, PASS], [/new vault passphrase again: $/, PASS]]);
    assert.equal(init.code, 0, init.screen);
    assert.ok(!init.screen.includes(PASS), `the passphrase was echoed: ${JSON.stringify(init.screen)}`);
    const set = await onTerminal(['secrets', 'set', 'TYPED_SECRET', '--vault', vault], [[/vault passphrase: $/, PASS], [/value of TYPED_SECRET: $/, VALUE]]);
    assert.equal(set.code, 0, set.screen);
    assert.ok(!set.screen.includes(PASS) && !set.screen.includes(VALUE), JSON.stringify(set.screen));
    assert.equal((await openVault(vault, new Secret(PASS))).contents.secrets.get('TYPED_SECRET')?.value.reveal(), VALUE);
    // A mistyped confirmation creates nothing.
    const other = t.path('other.vault');
    const typo = await onTerminal(['secrets', 'init', '--vault', other], [[/new vault passphrase: $/, PASS], [/again: $/, `${PASS}x`]]);
    assert.equal(typo.code, 2);
    assert.match(typo.screen, /keel: new vault passphrase: was not typed the same twice; nothing was changed/);
    assert.throws(() => statSync(other));
  } finally {
    t.remove();
  }
});
