import { KeelError } from '../../model/index.ts';
import type { Journal } from '../journal.ts';
import type { BackupManifest } from './manifest.ts';

const PAGE = 10_000;

/**
 * The last word of a restore: open the result as the engine would and check it holds what the manifest
 * promised (same last seq, same number of events, a snapshot if the backup had one). Counted through the
 * journal's own read path, so a restore that the journal cannot read back fails here, not at the engine's start.
 */
export async function checkRestored(journal: Journal, manifest: BackupManifest): Promise<void> {
  const lastSeq = await journal.lastSeq();
  let events = 0;
  for (let from = 1; ;) {
    const page = await journal.read({ fromSeq: from, limit: PAGE });
    events += page.length;
    if (page.length < PAGE) break;
    from = page[page.length - 1].seq + 1;
  }
  const snapshot = await journal.latestSnapshot();
  if (lastSeq !== manifest.lastSeq || events !== manifest.events || (manifest.snapshots > 0) !== (snapshot !== undefined)) {
    throw new KeelError('RESTORE_MISMATCH', `holds ${events} events up to seq ${lastSeq}${snapshot ? ' and a snapshot' : ''} after restoring, the backup has ${manifest.events} up to seq ${manifest.lastSeq}; it was not kept`, {
      field: 'journal', value: journal.location, hint: 'this is a Keel bug: keep the backup and report it',
    });
  }
}
