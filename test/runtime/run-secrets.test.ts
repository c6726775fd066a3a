import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { KeelError, Secret } from '../../src/model/index.ts';
import { channelFrom } from '../../src/ops/index.ts';
import { parseRunConfig, resolveRunSecrets, secretUses, type RunConfig } from '../../src/runtime/index.ts';
import { initVault, openVault, setSecret, updateVault, type OpenVault } from '../../src/security/index.ts';
import { createAlpacaVenue, parseAlpacaConfig } from '../../src/venues/index.ts';
import { parseCcxtConfig } from '../../src/venues/ccxt/index.ts';
import { keelWithInput } from '../helpers/keel-process.ts';
import { FAST_KDF, PASSPHRASE, tempFolder } from '../security/vault-helpers.ts';

const SECRETS = {
  ALPACA_KEY_ID: 'PKVAULTKEYID0001',
  ALPACA_SECRET: 'alpaca-secret-from-the-vault-91c2',
  HOOK_URL: 'http://127.0.0.1:9/hooks/T0KEN-from-the-vault-77',
  SLACK_URL: 'https://hooks.slack.example/services/T00/B00/slack-token-3f',
  PD_KEY: 'pagerduty-routing-key-5e8a',
  TG_TOKEN: '123456:telegram-bot-token-abc',
  SMTP_USER: 'smtp-user-from-vault',
  SMTP_PASSWORD: 'smtp-password-from-vault-2c',
  CCXT_KEY: 'ccxt-api-key-from-vault',
  CCXT_SECRET: 'ccxt-secret-from-vault-0d',
};

const CONFIG = `
strategy: { name: sma-cross }
venue:
  kind: alpaca
  keyId: secret:ALPACA_KEY_ID
  secret: secret:ALPACA_SECRET
  tradingUrl: http://127.0.0.1:9
  symbols: [ORCL]
backupFeeds:
  - { kind: ccxt, exchange: kraken, apiKey: "secret:CCXT_KEY", secret: "secret:CCXT_SECRET", symbols: [BTC/USD] }
journal: j.sqlite
alerts:
  channels:
    - { type: webhook, name: hook, url: "secret:HOOK_URL" }
    - { type: slack, name: ops, url: "secret:SLACK_URL" }
    - { type: pagerduty, name: pd, routingKey: "secret:PD_KEY" }
    - { type: telegram, name: tg, botToken: "secret:TG_TOKEN", chatId: 42 }
    - { type: email, name: mail, host: 127.0.0.1, from: k@example.com, to: [ops@example.com], user: "secret:SMTP_USER", password: "secret:SMTP_PASSWORD" }
    - { type: webhook, name: env, url: "\${HOOK_FROM_ENV}" }
`;

async function vaultWithSecrets(path: string, secrets: Record<string, string> = SECRETS): Promise<void> {
  await initVault(path, PASSPHRASE, { kdf: FAST_KDF });
  await updateVault(path, PASSPHRASE, (c) => Object.entries(secrets).reduce((acc, [n, v]) => setSecret(acc, n, new Secret(v), new Date()), c));
}

const parse = (text: string): RunConfig => parseRunConfig(text, 'keel.yaml', { HOOK_FROM_ENV: 'http://127.0.0.1:9/from-env' });

async function refusal(cfg: RunConfig, open: () => Promise<OpenVault>, path = 'keel.vault'): Promise<KeelError> {
  try {
    await resolveRunSecrets(cfg, { path, open });
  } catch (e) {
    assert.ok(e instanceof KeelError, String(e));
    assert.ok(!e.message.includes('\n'));
    for (const v of Object.values(SECRETS)) assert.ok(!e.message.includes(v), `leaked ${v}`);
    return e;
  }
  assert.fail('expected a refusal');
}

test('every credential field resolves to a Secret from the vault; ${ENV} still expands; printing the config leaks nothing', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await vaultWithSecrets(path);
    const cfg = parse(CONFIG);
    assert.deepEqual(secretUses(cfg).map((u) => [u.field, u.name]).sort(), [
      ['keel.yaml: venue.keyId', 'ALPACA_KEY_ID'], ['keel.yaml: venue.secret', 'ALPACA_SECRET'],
      ['keel.yaml: backupFeeds[0].apiKey', 'CCXT_KEY'], ['keel.yaml: backupFeeds[0].secret', 'CCXT_SECRET'],
      ['keel.yaml: alerts.channels[0].url', 'HOOK_URL'], ['keel.yaml: alerts.channels[1].url', 'SLACK_URL'],
      ['keel.yaml: alerts.channels[2].routingKey', 'PD_KEY'], ['keel.yaml: alerts.channels[3].botToken', 'TG_TOKEN'],
      ['keel.yaml: alerts.channels[4].user', 'SMTP_USER'], ['keel.yaml: alerts.channels[4].password', 'SMTP_PASSWORD'],
    ].sort());
    const r = await resolveRunSecrets(cfg, { path, open: () => openVault(path, PASSPHRASE) });
    assert.deepEqual(r.secrets.map((s) => s.reveal()).sort(), Object.values(SECRETS).sort());
    const venue = r.config.venue as Record<string, unknown>;
    assert.ok(venue.secret instanceof Secret && venue.keyId instanceof Secret);
    assert.equal((venue.secret as Secret).reveal(), SECRETS.ALPACA_SECRET);
    const [hook, , pd, tg, mail, env] = r.config.alerts!.channels;
    assert.ok(hook.type === 'webhook' && hook.url instanceof Secret && hook.url.reveal() === SECRETS.HOOK_URL);
    assert.ok(pd.type === 'pagerduty' && pd.routingKey instanceof Secret);
    assert.ok(tg.type === 'telegram' && tg.botToken instanceof Secret && tg.chatId === '42');
    assert.ok(mail.type === 'email' && mail.password instanceof Secret && mail.host === '127.0.0.1');
    assert.ok(env.type === 'webhook' && env.url === 'http://127.0.0.1:9/from-env', '${ENV} works as before');
    for (const text of [JSON.stringify(r.config), inspect(r.config, { depth: 20 }), String(r.secrets)]) {
      for (const v of Object.values(SECRETS)) assert.ok(!text.includes(v), `${v} printed`);
    }
    // The original config is not changed (the references stay references).
    assert.equal((cfg.venue as Record<string, unknown>).secret, 'secret:ALPACA_SECRET');

    // The adapters take the Secrets as they are.
    const alpaca = parseAlpacaConfig((({ kind: _k, ...s }) => s)(venue));
    assert.ok(alpaca.secret instanceof Secret);
    const session = await createAlpacaVenue((({ kind: _k, ...s }) => s)(venue), { connect: false });
    assert.ok(!inspect(session, { depth: 6 }).includes(SECRETS.ALPACA_SECRET));
    await session.close();
    const ccxt = parseCcxtConfig((({ kind: _k, ...s }) => s)(r.config.backupFeeds![0] as Record<string, unknown>), {});
    assert.equal(ccxt.credentials.apiKey, SECRETS.CCXT_KEY);
    assert.equal(ccxt.credentials.secret?.reveal(), SECRETS.CCXT_SECRET);
  } finally {
    t.remove();
  }
});

test('a webhook URL from the vault is revealed only to send: the alert arrives over a real socket', async () => {
  const got: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { got.push({ url: req.url!, body }); res.end('ok'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/T0KEN-abc-123`;
    await channelFrom({ type: 'webhook', name: 'hook', url: new Secret(url) }).send({ key: 'k', severity: 'warning', title: 'from the vault', detail: 'd', ts: 0, state: 'firing' });
    assert.equal(got.length, 1);
    assert.equal(got[0].url, '/hooks/T0KEN-abc-123');
    assert.equal(JSON.parse(got[0].body).title, 'from the vault');
  } finally {
    server.close();
  }
});

test('a config without secret: references never opens the vault (no passphrase asked)', async () => {
  const cfg = parse('strategy: { name: sma-cross }\nvenue: { kind: alpaca, keyId: PK1, symbols: [ORCL] }\njournal: j.sqlite\n');
  const r = await resolveRunSecrets(cfg, { path: 'keel.vault', open: () => assert.fail('opened the vault') });
  assert.equal(r.config, cfg);
  assert.deepEqual(r.secrets, []);
  assert.equal(r.vault, undefined);
});

test('refusals name the config key and the secret: missing vault, wrong passphrase, missing name, misplaced or malformed reference, bad URL', async () => {
  const t = tempFolder();
  try {
    const path = t.path('keel.vault');
    await vaultWithSecrets(path, { ALPACA_SECRET: SECRETS.ALPACA_SECRET, ALPACA_KEY_ID: SECRETS.ALPACA_KEY_ID });
    const cfg = parse(CONFIG);
    const missing = await refusal(cfg, () => openVault(t.path('nope.vault'), PASSPHRASE), t.path('nope.vault'));
    assert.equal(missing.message, `keel.yaml: venue.keyId = "secret:ALPACA_KEY_ID": needs the vault ${t.path('nope.vault')}, which does not exist (create it with keel secrets init, or point to it with --vault or KEEL_VAULT)`);
    const wrong = await refusal(cfg, () => openVault(path, new Secret('not the right passphrase')), path);
    assert.equal(wrong.code, 'VAULT_WRONG_PASSPHRASE');
    assert.equal(wrong.message, `keel.yaml: venue.keyId = "secret:ALPACA_KEY_ID": needs the vault ${path}, which cannot be opened: wrong passphrase (or its header was changed) (check KEEL_VAULT_PASSPHRASE or --passphrase-file)`);
    writeFileSync(path, 'damaged', { flag: 'a' });
    assert.equal((await refusal(cfg, () => openVault(path, PASSPHRASE), path)).code, 'VAULT_TAMPERED');
    const noName = await refusal(cfg, async () => ({ ...(await openFresh()), path }), path);
    assert.equal(noName.message, `keel.yaml: alerts.channels[0].url = "secret:HOOK_URL": names a secret that is not in the vault ${path} (keel secrets list shows the names)`);

    const misplaced = parse(CONFIG.replace('tradingUrl: http://127.0.0.1:9', 'tradingUrl: secret:ALPACA_SECRET'));
    assert.throws(() => secretUses(misplaced), /^KeelError: keel\.yaml: venue\.tradingUrl = "secret:ALPACA_SECRET": is not a credential field/);
    const inJournal = parse(CONFIG.replace('journal: j.sqlite', 'journal: "secret:PG_URL"'));
    assert.throws(() => secretUses(inJournal), /keel\.yaml: journal = "secret:PG_URL": is not a credential field/);
    const malformed = parse(CONFIG.replace('secret:ALPACA_SECRET', '"secret:ALPACA SECRET"'));
    assert.throws(() => secretUses(malformed), /keel\.yaml: venue\.secret = "secret:ALPACA SECRET": must be secret:NAME with a name of letters/);

    const notUrl = parse('strategy: { name: sma-cross }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: j.sqlite\nalerts: { channels: [{ type: webhook, name: h, url: "secret:NOT_A_URL" }] }\n');
    await vaultWithSecrets(t.path('second.vault'), { NOT_A_URL: 'plain-words-not-a-url' });
    const badUrl = await refusal(notUrl, () => openVault(t.path('second.vault'), PASSPHRASE));
    assert.equal(badUrl.message, 'keel.yaml: alerts.channels[0].url = "secret:NOT_A_URL": names a secret that is not an http(s) URL (keel secrets set NOT_A_URL to the full URL)');
    assert.ok(!badUrl.message.includes('plain-words'));

    // A value too short to scrub from logs (a vault written by hand or by an older keel) is refused, not used.
    const short = await refusal(parse(CONFIG), async () => ({ ...(await openFresh()), contents: { secrets: new Map([['ALPACA_KEY_ID', { value: new Secret('PK1'), createdAt: '', updatedAt: '' }]]), users: new Map() } }));
    assert.equal(short.message, 'keel.yaml: venue.keyId = "secret:ALPACA_KEY_ID": names a secret of 3 characters, too short to be scrubbed from logs (at least 6)');
  } finally {
    t.remove();
  }

  async function openFresh(): Promise<OpenVault> {
    const p = tempFolder();
    try {
      await vaultWithSecrets(p.path('v'), { ALPACA_KEY_ID: SECRETS.ALPACA_KEY_ID, ALPACA_SECRET: SECRETS.ALPACA_SECRET });
      return await openVault(p.path('v'), PASSPHRASE);
    } finally {
      p.remove();
    }
  }
});

test('keel paper --config with a secret: reference and no vault stops in one line before anything connects', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  try {
    const file = t.path('keel.yaml');
    // The venue port is closed: reaching it would say "cannot be reached", so the vault is checked first.
    writeFileSync(file, 'strategy: { name: sma-cross }\nvenue: { kind: alpaca, keyId: PK1, secret: "secret:ALPACA_SECRET", tradingUrl: "http://127.0.0.1:9", symbols: [ORCL] }\njournal: j.sqlite\nvault: my.vault\n');
    const r = await keelWithInput(['paper', '--config', file], { env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `keel: ${file}: venue.secret = "secret:ALPACA_SECRET": needs the vault ${t.path('my.vault')}, which does not exist (create it with keel secrets init, or point to it with --vault or KEEL_VAULT)\n`);
    // --vault wins over the config's vault:, and a missing passphrase is named too.
    await vaultWithSecrets(t.path('other.vault'), { ALPACA_SECRET: SECRETS.ALPACA_SECRET });
    const noPass = await keelWithInput(['paper', '--config', file, '--vault', t.path('other.vault')]);
    assert.equal(noPass.code, 2);
    assert.equal(noPass.stderr, `keel: ${file}: venue.secret = "secret:ALPACA_SECRET": needs the vault ${t.path('other.vault')}: vault passphrase: is needed: set KEEL_VAULT_PASSPHRASE, KEEL_VAULT_PASSPHRASE_FILE or --passphrase-file FILE, or run in a terminal to be asked\n`);
    // With the passphrase, the vault opens and the run goes on to the (closed) venue.
    const onward = await keelWithInput(['paper', '--config', file, '--vault', t.path('other.vault')], { env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
    assert.equal(onward.code, 2);
    assert.match(onward.stderr.trim().split('\n').at(-1)!, /^keel: venue = "http:\/\/127\.0\.0\.1:9": cannot be reached/);
    assert.ok(!onward.stderr.includes(SECRETS.ALPACA_SECRET));
  } finally {
    t.remove();
  }
});

test('keel alert test sends through a channel whose URL comes from the vault', { timeout: 60_000 }, async () => {
  const t = tempFolder();
  const got: string[] = [];
  const server = createServer((req, res) => { got.push(req.url!); req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/T0KEN-alert-test-42`;
    await vaultWithSecrets(t.path('keel.vault'), { HOOK: url });
    writeFileSync(t.path('keel.yaml'), 'strategy: { name: sma-cross }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: j.sqlite\nvault: keel.vault\nalerts: { channels: [{ type: webhook, name: hook, url: "secret:HOOK" }] }\n');
    const r = await keelWithInput(['alert', 'test', 'hook', '--config', t.path('keel.yaml')], { env: { KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'test alert delivered to hook (webhook)\n');
    assert.deepEqual(got, ['/hooks/T0KEN-alert-test-42']);
    assert.ok(!r.stdout.includes('T0KEN') && !r.stderr.includes('T0KEN'));
  } finally {
    server.close();
    t.remove();
  }
});
