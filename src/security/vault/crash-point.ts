/**
 * Where the crash tests kill a vault write (KEEL_VAULT_CRASH_AT=point kills the process with SIGKILL when a
 * write passes it): half the temporary file written, the temporary file complete and synced, and the rename
 * done but the folder not yet synced. The old vault must open at every point before the rename.
 */
export type VaultCrashPoint = 'temp-partial' | 'temp-written' | 'renamed';

export function vaultCrashPoint(point: VaultCrashPoint): void {
  if (process.env.KEEL_VAULT_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
