import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ORCL = resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv');

/** Run the real `keel` command (bin/keel.js) with the running Node, as a user would. */
export function keel(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, KEEL_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As `keel`, without blocking this process (for commands that talk to a server the test itself runs). */
export function keelAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, KEEL_DEBUG: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}
