import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { totpCode } from '../../src/security/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';

/**
 * The README's "Securing the API" walkthrough, run as written: its shell lines taken from the README, in a
 * folder laid out like a fresh clone (examples/keel-tls.yaml beside ../shared), `npx keel` being this
 * checkout's keel, on free ports. What a person types is piped in (the users' passwords) or computed (the code
 * the authenticator app shows, from the seed `keel users add` printed). Each line must end as its comment
 * says: 401 without credentials, 403 for the viewer's kill, 401 for the kill without a code, HALTED with one,
 * and `keel audit verify` passing, then failing at record 2 once sqlite3 changes it.
 */

interface Line { readonly cmd: string; readonly comment: string }

function sectionLines(): Line[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Securing the API: users, TLS and the audit trail');
  assert.ok(start >= 0, 'README has the section');
  const text = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 2);
  return blocks.join('').split('\n').filter((l) => l.trim() !== '').map((l) => {
    const m = /^(.*?)\s+#\s(.*)$/.exec(l);
    return m ? { cmd: m[1].trim(), comment: m[2] } : { cmd: l.trim(), comment: '' };
  });
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

test('the README security walkthrough: users with TOTP, secret: references and TLS; 401, 403, TOTP for kill; audit verify passes, then fails', { timeout: 240_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'keel-readme-secure-'));
  const repo = join(root, 'keel');
  const jobs: ChildProcess[] = [];
  const jobOut: string[] = [];
  try {
    mkdirSync(join(repo, 'examples'), { recursive: true });
    symlinkSync(resolve(ROOT, '../shared'), join(root, 'shared'));
    const [apiPort, venuePort] = [await freePort(), await freePort()];
    const ports = (s: string) => s.replaceAll('7070', String(apiPort)).replaceAll('7401', String(venuePort));
    writeFileSync(join(repo, 'examples', 'keel-tls.yaml'), ports(readFileSync(join(ROOT, 'examples', 'keel-tls.yaml'), 'utf8')));
    // `npx keel` is this checkout's keel, run by this Node.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = keel ] || exit 127\nshift\nexec "${process.execPath}" "${join(ROOT, 'bin', 'keel.js')}" "$@"\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, KEEL_DEBUG: '' };
    for (const k of ['KEEL_VAULT', 'KEEL_VAULT_PASSPHRASE', 'KEEL_API_TOKEN', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY']) delete env[k];
    const seeds: Record<string, string> = {};
    const results: Array<{ line: Line; code: number; stdout: string; stderr: string }> = [];

    for (const line of sectionLines()) {
      let cmd = ports(line.cmd);
      const exported = /^export (.*)$/.exec(cmd);
      if (exported) {
        for (const pair of exported[1].split(/\s+/)) { const [k, ...v] = pair.split('='); env[k] = v.join('='); }
        continue;
      }
      if (cmd.endsWith('&')) {
        const child = spawn('bash', ['-c', cmd.slice(0, -1).trim()], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const i = jobs.push(child) - 1;
        jobOut[i] = '';
        child.stdout!.on('data', (d) => { jobOut[i] += d; });
        child.stderr!.on('data', (d) => { jobOut[i] += d; });
        if (/keel venue/.test(cmd)) await until('the venue', () => jobOut[i].includes(`127.0.0.1:${venuePort}`));
        if (/keel paper/.test(cmd)) {
          await until('the API', () => /API and dashboard on https:\/\/127\.0\.0\.1:\d+/.test(jobOut[i]) || child.exitCode !== null, 60_000);
          assert.match(jobOut[i], new RegExp(`API and dashboard on https://127\\.0\\.0\\.1:${apiPort} \\(TLS CN=localhost, valid until \\d{4}-\\d{2}-\\d{2}; allow 127\\.0\\.0\\.1, ::1; 2 user\\(s\\)\\)`), jobOut[i]);
        }
        continue;
      }
      const job = /^kill %(\d)$/.exec(cmd);
      if (job) {
        const child = jobs[Number(job[1]) - 1];
        const exit = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
        process.kill(-child.pid!, 'SIGTERM');
        const code = await exit;
        if (/keel paper/.test(String(child.spawnargs))) assert.equal(code, 0, jobOut[Number(job[1]) - 1].slice(-3000));
        continue;
      }
      // What the person types or reads off their phone.
      const added = /keel users add (\w+)/.exec(cmd)?.[1];
      const tokenUser = /--token-file (\w+)\.token/.exec(cmd)?.[1];
      if (tokenUser && seeds[tokenUser]) cmd = cmd.replace('--totp 123456', `--totp ${totpCode(seeds[tokenUser], Date.now())}`);
      const r = spawnSync('bash', ['-c', cmd], { cwd: repo, env, encoding: 'utf8', input: added ? `${added}-readme-password\n` : '' });
      const result = { line, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      results.push(result);
      const expectFail = /^exit 1/.test(line.comment);
      assert.equal(result.code, expectFail ? 1 : 0, `${cmd}\n${r.stdout}\n${r.stderr}`);
      if (added) seeds[added] = /secret: ([A-Z2-7]+)/.exec(r.stdout)![1];
    }

    const out = (pattern: RegExp) => results.find((r) => pattern.test(r.line.cmd))!;
    const all = (pattern: RegExp) => results.filter((r) => pattern.test(r.line.cmd));
    assert.equal(statSync(join(repo, '.vault-passphrase')).mode & 0o777, 0o600);
    assert.equal(statSync(join(repo, 'rita.token')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(repo, 'rita.token'), 'utf8'), /^keel_[0-9a-f]{16}_[0-9a-f]{64}\n$/);
    const [anon, viewer] = all(/^curl .*\/api\/status/);
    assert.equal(anon.stdout, '{"error":"authentication required: send Authorization: Bearer keel_… (keel users token NAME) or sign in at /login","missing":"authentication"} 401\n');
    assert.match(viewer.stdout, /^\{"account":"paper",.*\} 200\n$/);
    const [vicKill, noCode, withCode] = all(/keel kill --api/);
    assert.equal(vicKill.stderr, 'keel: kill refused by the API (403): user vic (viewer) may not POST /api/kill: it needs permission risk.kill (role risk)\n');
    assert.equal(noCode.stderr, "keel: kill refused by the API (401): POST /api/kill needs a TOTP code: send x-keel-totp: <6 digits> from rita's authenticator app\n");
    assert.match(withCode.stdout, /^HALTED: /);
    const [verified, broken] = all(/keel audit verify/);
    assert.match(verified.stdout, /: 5 records, hash chain intact\n/);
    assert.match(broken.stderr, /is broken at record 2: hash mismatch/);
    assert.match(out(/keel audit head/).stdout, /^5:[0-9a-f]{64}\n$/);
    const csv = readFileSync(join(repo, 'audit.csv'), 'utf8');
    for (const row of ['config.load,cli:', 'login.failed,anonymous,ip:127.0.0.1', 'access.denied,user:vic', 'mfa.failed,user:rita', 'kill,user:rita']) {
      assert.ok(csv.split('\n').some((l) => l.includes(row.split(',')[0]) && row.split(',').slice(1).every((p) => l.includes(p))), `${row} in\n${csv}`);
    }
    // No secret in any output: the venue secret, the tokens, the passwords.
    const secrets = ['demo-secret', readFileSync(join(repo, 'rita.token'), 'utf8').trim(), readFileSync(join(repo, 'vic.token'), 'utf8').trim(), 'rita-readme-password'];
    // (The venue's own output is left out: it is the venue, and was given the secret.)
    for (const text of [jobOut[1], ...results.filter((r) => !/users token/.test(r.line.cmd)).flatMap((r) => [r.stdout, r.stderr]), csv]) {
      for (const s of secrets) assert.ok(!text.includes(s), `a secret in output: ${s.slice(0, 12)}…`);
    }
  } finally {
    for (const j of jobs) if (j.exitCode === null && j.signalCode === null) { try { process.kill(-j.pid!, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(root, { recursive: true, force: true });
  }
});
