import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeelError } from '../../model/index.ts';

/**
 * Moving finished files into place without ever replacing one. Backups and restores write to a temporary name
 * next to the destination, then publish it here: a hard link fails with EEXIST instead of replacing what is
 * there (rename would silently overwrite), so two racing writers cannot clobber each other or a live journal.
 */

/** Publish `tmp` as `final`, or throw `code` naming `final` if it already exists. `tmp` is gone afterwards either way. */
export function publishFile(tmp: string, final: string, o: { code: string; field: string; what: string; hint?: string }): void {
  try {
    try {
      linkSync(tmp, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw exists(final, o);
      // Some file systems (FAT, some network mounts) have no hard links: check, then rename (a tiny race).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
      if (existsSync(final)) throw exists(final, o);
      renameSync(tmp, final);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

function exists(final: string, o: { code: string; field: string; what: string; hint?: string }): KeelError {
  return new KeelError(o.code, `${o.what} already exists; it was left untouched`, { field: o.field, value: final, hint: o.hint });
}

/** Flush a file's bytes to disk, so a published backup survives a power loss like the journal it copies. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `text` to a new file (fails if `path` exists), flushed to disk. */
export function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A temporary name next to `final`, hidden from listings and from retention (which only knows `journal-…` names). */
export function temporaryName(final: string): string {
  return join(dirname(final), `.${basename(final)}.partial-${process.pid}-${Date.now()}`);
}
