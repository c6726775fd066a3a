import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelError } from '../../src/model/index.ts';
import { openSqliteJournal, type Journal } from '../../src/store/index.ts';
import { journalFingerprint } from '../../src/store/backup/index.ts';
import { AUDIT_OK, openAuditLog } from '../../src/security/index.ts';
import { tradeBatch } from './journal-events.ts';

/** Shared by the backup tests (test/store/backup*.test.ts). */

export const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof KeelError, `expected KeelError ${code}, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.doesNotMatch(e.message, /\n/);
  return true;
};

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-backup-'));
}

/** A journal with `batches` trades and a snapshot after the first half. */
export async function fill(journal: Journal, batches: number): Promise<void> {
  for (let i = 0; i < batches; i++) {
    await journal.append(tradeBatch(i, i % 4 === 3 ? 'B' : 'A'));
    if (i === Math.floor(batches / 2)) await journal.saveSnapshot({ seq: await journal.lastSeq(), ts: i, state: { positions: { ACME: i }, cash: 10n ** 19n } });
  }
}

export async function sqliteJournalAt(path: string, batches: number): Promise<void> {
  const j = await openSqliteJournal({ path });
  await fill(j, batches);
  await j.close();
  await fillAudit(path, undefined, 3);
}

/** `n` audit records in the journal's trail (a backup must carry them, hashes and chain id and all). */
export async function fillAudit(journal: string, schema: string | undefined, n: number): Promise<void> {
  const audit = await openAuditLog({ journal, schema, now: () => Date.UTC(2025, 0, 2) });
  try {
    for (let i = 0; i < n; i++) {
      await audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: i % 2 ? 'rearm' : 'kill', result: AUDIT_OK, details: { reason: `drill ${i} — "quoted"\nline` } });
    }
  } finally {
    await audit.close();
  }
}

export async function fingerprintOfSqlite(path: string): Promise<string> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    return await journalFingerprint(j);
  } finally {
    await j.close();
  }
}

/**
 * Every file under `dir` with a digest of its bytes, to prove a refusal wrote nothing. The empty `-wal`/`-shm`
 * side files SQLite creates for any reader of a WAL journal are left out: they hold no data.
 */
export function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { out.set(name, 'dir'); continue; }
    const bytes = readFileSync(p);
    if (/-(wal|shm)$/.test(name) && (bytes.length === 0 || name.endsWith('-shm'))) continue;
    out.set(name, createHash('sha256').update(bytes).digest('hex'));
  }
  return out;
}
