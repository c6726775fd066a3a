import { KeelError } from '../../model/index.ts';
import type { Journal, JournalRecord, NewJournalEvent, SnapshotRecord } from '../journal.ts';
import type { AuditRow, AuditTable } from '../audit-table.ts';

/** One thing read out of a backup, in the order it is replayed. */
export type BackupItem =
  | { readonly kind: 'event'; readonly record: JournalRecord }
  | { readonly kind: 'snapshot'; readonly snapshot: SnapshotRecord }
  /** The audit chain's id: comes before any audit row. */
  | { readonly kind: 'audit-chain'; readonly chainId: string }
  | { readonly kind: 'audit'; readonly row: AuditRow };

/** Events per append: large enough to amortise a commit, within the PostgreSQL journal's batch size. */
const CHUNK = 2000;

/**
 * Replay a backup into an empty journal: every event appended in order (the journal's own projection rebuilds
 * the read models in the same transactions, exactly as when the engine wrote them), then the snapshots.
 * The journal must hand back the very sequence numbers the backup holds: a gap in the backup, or a target
 * that was not empty, would shift every later event, so either stops the replay.
 *
 * @example await replay(readDump('backups/journal-…-seq42.dump'), await openSqliteJournal({ path: 'restored.sqlite' }), 'backups/…dump');
 */
export async function replay(items: AsyncIterable<BackupItem>, journal: Journal, from: string, audit?: AuditTable): Promise<{ events: number; lastSeq: number; snapshots: number; auditRecords: number }> {
  let chunk: JournalRecord[] = [];
  let events = 0;
  let lastSeq = 0;
  let snapshots = 0;
  let chainId: string | undefined;
  let auditRows: AuditRow[] = [];
  let auditRecords = 0;
  // Audit rows go in verbatim (their hashes are the trail's evidence), never re-recorded.
  const flushAudit = async () => {
    if (chainId === undefined) return;
    if (audit === undefined) throw new Error(`replay into ${journal.location}: the backup holds an audit trail but no audit table was given`);
    await audit.importRows(chainId, auditRows);
    auditRecords += auditRows.length;
    auditRows = [];
  };
  const flush = async () => {
    if (chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    const seqs = await journal.append(records.map(toNewEvent));
    for (let i = 0; i < records.length; i++) {
      if (seqs[i] !== records[i].seq) {
        throw new Error(`replay into ${journal.location}: event ${records[i].seq} of the backup was journaled as ${seqs[i]}`);
      }
    }
  };
  for await (const item of items) {
    if (item.kind === 'audit-chain') {
      chainId = item.chainId;
      continue;
    }
    if (item.kind === 'audit') {
      auditRows.push(item.row);
      if (auditRows.length >= CHUNK) await flushAudit();
      continue;
    }
    if (item.kind === 'event') {
      const seq = item.record.seq;
      if (seq !== lastSeq + 1) {
        throw new KeelError('BACKUP_CORRUPT', `jumps from event ${lastSeq} to ${seq}; a journal has no gaps`, { field: 'backup', value: from });
      }
      chunk.push(item.record);
      events++;
      lastSeq = seq;
      if (chunk.length >= CHUNK) await flush();
    } else {
      // A snapshot describes state up to its seq: its events must be in before it.
      await flush();
      await journal.saveSnapshot(item.snapshot);
      snapshots++;
    }
  }
  await flush();
  await flushAudit();
  return { events, lastSeq, snapshots, auditRecords };
}

function toNewEvent(r: JournalRecord): NewJournalEvent {
  const e = { ts: r.ts, stream: r.stream, type: r.type, payload: r.payload };
  return r.version !== undefined ? { ...e, version: r.version } : e;
}
