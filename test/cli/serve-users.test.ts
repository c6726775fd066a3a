import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keel, ROOT } from '../helpers/cli.ts';
import { openSqliteJournal } from '../helpers/alpaca-paper.ts';
import { testUsers } from '../helpers/api-users.ts';
import { until } from '../helpers/wait.ts';
import { PASSPHRASE } from '../security/vault-helpers.ts';

test('keel serve --users: the journal\'s views need a user (401 without, 200 with a viewer\'s token); beyond loopback without users is refused', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-serve-users-'));
  const users = await testUsers([['vera', ['viewer']]]);
  const file = join(dir, 'journal.sqlite');
  await (await openSqliteJournal({ path: file })).close();
  const serve = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'serve', '--journal', file, '--port', '0', '--users', '--vault', users.path],
    { cwd: ROOT, env: { ...process.env, KEEL_VAULT_PASSPHRASE: PASSPHRASE.reveal() } });
  let out = '';
  let err = '';
  serve.stdout.on('data', (d) => { out += d; });
  serve.stderr.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((r) => serve.on('exit', (c) => r(c)));
  try {
    await until('the URL', () => /^http:\/\/127\.0\.0\.1:\d+\n/.test(out) || serve.exitCode !== null);
    assert.match(out, /^http:/, err);
    const url = out.split('\n')[0];
    const anon = await fetch(`${url}/api/status`);
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as { missing: string }).missing, 'authentication');
    assert.equal((await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${users.users.vera.token}` } })).status, 200);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const refused = keel(['serve', '--journal', file, '--port', '0', '--host', '0.0.0.0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^keel: --host = "0\.0\.0\.0": is reachable from other machines, so it needs TLS .* and users \(keel users add\); nothing is listening/);
  } finally {
    serve.kill('SIGTERM');
    await exit;
    users.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
