import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { readManifest, type BackupManifest } from '../../store/backup/index.ts';

/**
 * The newest complete backup (by its manifest's createdAt) in a backup folder, or the manifest given itself.
 * Unreadable manifests, unfinished copies and verification sidecars are passed over.
 *
 * @example const { manifestPath } = latestBackup('backups');
 */
export function latestBackup(from: string, field = 'backup.to'): { manifestPath: string; manifest: BackupManifest } {
  if (!existsSync(from)) throw new KeelError('BACKUP_NOT_FOUND', 'does not exist', { field, value: from, hint: 'take one first: keel backup, or backup: {every, to} in the run config' });
  if (!statSync(from).isDirectory()) return { manifestPath: from, manifest: readManifest(from).manifest };
  let best: { manifestPath: string; manifest: BackupManifest } | undefined;
  for (const f of readdirSync(from)) {
    if (!/^journal-.*\.json$/.test(f) || f.endsWith('.verify.json')) continue;
    try {
      const m = readManifest(join(from, f)).manifest;
      if (best === undefined || m.createdAt > best.manifest.createdAt) best = { manifestPath: join(from, f), manifest: m };
    } catch { /* not a finished backup */ }
  }
  if (best === undefined) throw new KeelError('BACKUP_NOT_FOUND', 'holds no finished backup', { field, value: from, hint: 'take one first: keel backup --journal ... --to DIR' });
  return best;
}
