import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from './cli.ts';

export interface KeelRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `keel` as a user would, with `stdin` piped in and extra environment (the vault variables are cleared
 * first, so the test's own environment never leaks a passphrase into a test that expects none).
 */
export function keelWithInput(args: string[], o: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<KeelRun> {
  return new Promise((res) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KEEL_DEBUG: '' };
    for (const k of ['KEEL_VAULT', 'KEEL_VAULT_PASSPHRASE', 'KEEL_VAULT_PASSPHRASE_FILE', 'KEEL_VAULT_NEW_PASSPHRASE', 'KEEL_VAULT_NEW_PASSPHRASE_FILE', 'KEEL_VAULT_CRASH_AT']) delete env[k];
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], { cwd: o.cwd ?? ROOT, env: { ...env, ...o.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {}); // a command that exits before reading stdin
    child.stdin.end(o.stdin ?? '');
  });
}
