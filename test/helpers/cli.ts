import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ORCL = resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv');

/** The columnar data cache of commands run by tests: one temp directory per test process, not ~/.cache. */
const CACHE_DIR = process.env.KEEL_CACHE_DIR ?? ownCacheDir();

function ownCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-test-cache-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Run the real `keel` command (bin/keel.js) with the running Node, as a user would. */
export function keel(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, KEEL_CACHE_DIR: CACHE_DIR, KEEL_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As `keel`, without blocking this process (for commands that talk to a server the test itself runs). */
export function keelAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, KEEL_CACHE_DIR: CACHE_DIR, KEEL_DEBUG: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** A `keel` process the test watches while it runs: its output so far, and its exit. */
export interface KeelProcess {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  readonly exit: Promise<number | null>;
}

/**
 * Start the real `keel` command in the background (servers, engines), collecting its output.
 * `unset` removes variables from the inherited environment, for tests that must prove where a value came from.
 *
 * @example const venue = spawnKeel(['venue', '--api', 'alpaca', ...]); await until('the URL', () => venue.out() !== '');
 */
export function spawnKeel(args: string[], env: NodeJS.ProcessEnv = {}, o: { cwd?: string; unset?: readonly string[] } = {}): KeelProcess {
  const base: NodeJS.ProcessEnv = { ...process.env, KEEL_DEBUG: '' };
  for (const k of o.unset ?? []) delete base[k];
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: o.cwd ?? ROOT, env: { ...base, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, out: () => out, err: () => err, exit };
}
