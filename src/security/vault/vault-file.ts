import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { isProcessAlive } from '../../ops/index.ts';
import { vaultCrashPoint } from './crash-point.ts';

/**
 * The vault on disk: read only when no one but its owner can read it, written atomically (a temporary file
 * in the same folder, synced, renamed over the old one, the folder synced), one writer at a time.
 */

/** How the file looked when read: a change on disk (a write by another keel) changes one of these. */
export interface FileFingerprint {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export function sameFingerprint(a: FileFingerprint, b: FileFingerprint): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Largest file we read: a vault of a thousand secrets and users is well under this. */
const MAX_BYTES = 16 * 1024 * 1024;

/** The mode check, like ssh's for private keys: group or others having any access is refused. */
function checkMode(mode: number, path: string): void {
  if (process.platform === 'win32') return;
  if ((mode & 0o077) !== 0) {
    throw new KeelError('VAULT_PERMISSIONS', `is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); a vault must be mode 0600`, {
      field: 'vault', value: path, hint: `chmod 600 ${path}`,
    });
  }
}

/** The vault's bytes and fingerprint; KeelErrors for a missing file, a bad mode, or something that is not a file. */
export async function readVaultFile(path: string): Promise<{ bytes: Buffer; fingerprint: FileFingerprint }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeelError('VAULT_NOT_FOUND', 'does not exist', { field: 'vault', value: path, hint: 'create it with keel secrets init, or point to it with --vault or KEEL_VAULT' });
    throw new KeelError('VAULT_UNREADABLE', `cannot be read: ${code ?? String(e)}`, { field: 'vault', value: path });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeelError('VAULT_UNREADABLE', 'is not a file', { field: 'vault', value: path });
    checkMode(st.mode, path);
    if (st.size > MAX_BYTES) throw new KeelError('VAULT_NOT_A_VAULT', `is ${st.size} bytes, far larger than any vault`, { field: 'vault', value: path });
    const bytes = await fh.readFile();
    return { bytes, fingerprint: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs } };
  } finally {
    await fh.close();
  }
}

/** The fingerprint of the file now, or undefined if it is gone. */
export async function fingerprintOf(path: string): Promise<FileFingerprint | undefined> {
  try {
    const st = await stat(path);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Replace (or create) `path` with `bytes`, mode 0600, atomically: a crash at any point leaves either the old
 * file or the new one, whole. The temporary file `<path>.tmp` is created exclusively (never through a link
 * someone left there) and removed if the write fails.
 */
export async function writeVaultFile(path: string, bytes: Buffer, o: { exclusive?: boolean } = {}): Promise<void> {
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true }); // a leftover from an interrupted write: ours to replace (we hold the lock)
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.chmod(0o600); // the umask may only take bits away; be explicit anyway
      if (process.env.KEEL_VAULT_CRASH_AT === 'temp-partial') {
        await fh.write(bytes.subarray(0, bytes.length >> 1));
        await fh.sync();
        vaultCrashPoint('temp-partial');
      }
      await fh.write(bytes, 0, bytes.length, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    vaultCrashPoint('temp-written');
    if (o.exclusive && (await fingerprintOf(path)) !== undefined) {
      throw new KeelError('VAULT_EXISTS', 'already exists; nothing was changed', { field: 'vault', value: path, hint: 'keel secrets rotate-key changes its passphrase' });
    }
    await rename(tmp, path);
    renamed = true;
    vaultCrashPoint('renamed');
    await syncFolder(dirname(path));
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
}

/** fsync the folder, so the rename itself survives a power cut (not possible on Windows, where it is a no-op). */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Run `fn` holding `<path>.lock`, so two `keel secrets`/`keel users` commands never lose each other's change
 * (each reads, changes and writes the whole file). A lock left by a process that died is taken over; one held
 * by a live process is waited for up to `waitMs`, then refused with one line.
 */
export async function withVaultLock<T>(path: string, fn: () => Promise<T>, waitMs = 5_000): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new KeelError('VAULT_UNREADABLE', 'is in a folder that does not exist', { field: 'vault', value: path });
      if (code !== 'EEXIST') throw new KeelError('VAULT_UNREADABLE', `cannot be locked: ${code ?? String(e)}`, { field: 'vault', value: lock });
      const text = (await readFile(lock, 'utf8').catch(() => '')).trim();
      const holder = Number(text);
      // An empty lock is one being written this instant, unless it has been empty for a while.
      const dead = text === '' ? Date.now() - ((await fingerprintOf(lock))?.mtimeMs ?? 0) > 2_000 : !Number.isSafeInteger(holder) || holder <= 0 || !isProcessAlive(holder);
      if (dead) {
        await rm(lock, { force: true }); // the writer died: its temporary file (if any) never replaced the vault
        continue;
      }
      if (Date.now() > deadline) {
        throw new KeelError('VAULT_LOCKED', `is being changed by process ${text || '(starting)'} (another keel secrets or keel users command)`, { field: 'vault', value: path, hint: `try again; if no such process runs, remove ${lock}` });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
