import { KeelError } from '../../model/index.ts';
import type { Journal } from '../journal.ts';
import type { AuditContents, BackupManifest } from './manifest.ts';

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
  if (manifest.audit !== undefined) await checkRestoredAudit(journal, manifest.audit);
}

/**
 * The restored audit trail must end where the backup's did: same chain id, same number of records, same
 * last hash. Rows are copied verbatim, so a restored trail that verifies proves the source's did at backup
 * time (`keel restore` verifies the whole chain after this; store/ leaves the hashing to security/audit/).
 */
async function checkRestoredAudit(journal: Journal, expected: AuditContents): Promise<void> {
  const chainId = await journal.auditChainId();
  let records = 0;
  let last: { seq: number; hash: string } | undefined;
  for (let fromSeq = 1; ;) {
    const page = await journal.readAudit({ fromSeq, limit: PAGE });
    records += page.length;
    if (page.length > 0) last = page[page.length - 1];
    if (page.length < PAGE) break;
    fromSeq = page[page.length - 1].seq + 1;
  }
  if (chainId !== expected.chainId || records !== expected.records || (last?.hash ?? null) !== expected.lastHash) {
    throw new KeelError('RESTORE_MISMATCH', `holds an audit trail of ${records} records (chain ${chainId.slice(0, 8)}…) after restoring, the backup has ${expected.records} (chain ${expected.chainId.slice(0, 8)}…); it was not kept`, {
      field: 'journal', value: journal.location, hint: 'this is a Keel bug: keep the backup and report it',
    });
  }
}
