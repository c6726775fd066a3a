/**
 * The README's research section runs as written (needs the machine's Redis for the queue sweep): its grid
 * sweep, walk-forward and two-worker queue sweep, with only the output folder moved to a temp directory and a
 * queue name unique to this run (so parallel test runs cannot collide).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keelAsync, ROOT } from '../helpers/cli.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = /## Research: optimisation and walk-forward\n([\s\S]*?)\n## /.exec(readme)![1];
const dir = mkdtempSync(join(tmpdir(), 'keel-readme-research-'));
const queueName = `keel-readme-${randomUUID()}`;
const children: ChildProcess[] = [];
test.after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The `npx keel ...` lines of the section's sh blocks, as argument lists (continuations joined, quotes honoured). */
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].replace(/\\\n\s*/g, ' ').split('\n'))
  .filter((l) => l.startsWith('npx keel '))
  .map((l) => ({ background: l.trim().endsWith('&'), args: [...l.replace(/&\s*$/, '').slice('npx keel '.length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]) }))
  .map((c) => ({ ...c, args: c.args.map((a) => a.replace(/^out\//, `${dir}/`)) }))
  .map((c) => ({ ...c, args: c.args.includes('--queue') ? [...c.args, '--queue-name', queueName] : c.args }));

test('the README research section: grid sweep, walk-forward, two-worker queue sweep', { timeout: 300_000 }, async () => {
  assert.deepEqual(commands.map((c) => c.args[0]), ['optimize', 'walkforward', 'worker', 'worker', 'optimize']);
  for (const c of commands) {
    if (c.background) {
      children.push(spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...c.args], { cwd: ROOT, stdio: 'ignore' }));
      continue;
    }
    const r = await keelAsync(c.args);
    assert.equal(r.code, 0, `keel ${c.args.join(' ')}: ${r.stderr}`);
  }
  for (const f of ['trials.csv', 'trials.json', 'diagnostics.json', 'report.html']) assert.ok(existsSync(join(dir, 'research/grid', f)), f);
  for (const f of ['windows.csv', 'oos-equity.csv', 'walkforward.json', 'report.html']) assert.ok(existsSync(join(dir, 'research/walkforward', f)), f);
  const wf = JSON.parse(readFileSync(join(dir, 'research/walkforward/walkforward.json'), 'utf8'));
  assert.ok(wf.windows.length >= 10 && wf.windows.every((w: { diagnostics: { deflatedSharpe: unknown; pbo: unknown } }) => w.diagnostics.deflatedSharpe && w.diagnostics.pbo));
  assert.equal(readFileSync(join(dir, 'research/queue/trials.csv'), 'utf8'), readFileSync(join(dir, 'research/grid/trials.csv'), 'utf8'), 'the README says cmp finds no difference');
  for (const c of children) c.kill('SIGTERM');
});
