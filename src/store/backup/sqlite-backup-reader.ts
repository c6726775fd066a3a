import { DatabaseSync } from 'node:sqlite';
import { decodePayload } from '../event-codec.ts';
import { openSqliteJournal } from '../sqlite/index.ts';
import { readAuditRows, readChainId } from '../sqlite/audit-table.ts';
import type { BackupItem } from './replay.ts';

const PAGE = 5000;

/**
 * Read a `sqlite` backup's events (in order, through the SQLite journal's own read path), all its snapshots
 * and its audit trail, for replaying it into a journal of another kind. Everything is opened read-only; `keel backup`
 * leaves the file in rollback-journal mode, so reading it creates and changes nothing (its checksum stays valid).
 *
 * @example for await (const item of readSqliteBackup('backups/journal-…-seq42.sqlite')) console.log(item.kind);
 */
export async function* readSqliteBackup(path: string): AsyncGenerator<BackupItem> {
  const journal = await openSqliteJournal({ path, readOnly: true });
  try {
    for (let from = 1; ;) {
      const page = await journal.read({ fromSeq: from, limit: PAGE });
      for (const record of page) yield { kind: 'event', record };
      if (page.length < PAGE) break;
      from = page[page.length - 1].seq + 1;
    }
  } finally {
    await journal.close();
  }
  // The Journal interface shows only the latest snapshot; a backup carries them all.
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare('SELECT seq, ts, state FROM snapshots ORDER BY seq').all() as unknown as Array<{ seq: number; ts: number; state: string }>;
    for (const s of rows) yield { kind: 'snapshot', snapshot: { seq: s.seq, ts: s.ts, state: decodePayload(s.state) } };
    // The audit trail, rows exactly as stored (their hashes are the evidence).
    yield { kind: 'audit-chain', chainId: readChainId(db, path) };
    for (let fromSeq = 1; ;) {
      const page = readAuditRows(db, path, { fromSeq, limit: PAGE });
      for (const row of page) yield { kind: 'audit', row };
      if (page.length < PAGE) break;
      fromSeq = page[page.length - 1].seq + 1;
    }
  } finally {
    db.close();
  }
}
