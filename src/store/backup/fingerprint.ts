import { createHash } from 'node:crypto';
import type { Journal } from '../journal.ts';

const PAGE = 10_000;

/**
 * SHA-256 over the canonical encoding of a journal's whole state as the engine and the CLI see it: every
 * event, every read-model row (orders, fills, positions, balances), the latest snapshot, the last seq and
 * the audit trail (chain id and every row).
 * Two journals with the same fingerprint answer every Journal query the same way, whatever database holds
 * them, which is what "a restored journal rebuilds identical state" means.
 *
 * Canonical: object keys sorted, bigints as {"$n":"…"}, read-model rows sorted by their encoding (SQLite and
 * PostgreSQL collate text differently, so ORDER BY alone would not agree).
 *
 * The audit trail is included (rows as stored and the chain id), unless `audit: false`: two journals created
 * apart have different chain ids by design, so comparing their trading state must leave the trail out.
 *
 * @example assert.equal(await journalFingerprint(restored), await journalFingerprint(original));
 */
export async function journalFingerprint(journal: Journal, o: { readonly audit?: boolean } = {}): Promise<string> {
  const hash = createHash('sha256');
  for (let from = 1; ;) {
    const page = await journal.read({ fromSeq: from, limit: PAGE });
    for (const r of page) {
      const s = r.stream;
      hash.update(`event ${canonical([r.seq, r.ts, s.account, s.strategy ?? null, s.instrument ?? null, r.type, r.version ?? null, r.payload])}\n`);
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1].seq + 1;
  }
  const models: Array<[string, readonly object[]]> = [
    ['order', await journal.orders()], ['fill', await journal.fills()], ['position', await journal.positions()], ['balance', await journal.balances()],
  ];
  for (const [name, rows] of models) {
    for (const line of rows.map((row) => `${name} ${canonical(row)}\n`).sort()) hash.update(line);
  }
  hash.update(`snapshot ${canonical((await journal.latestSnapshot()) ?? null)}\n`);
  hash.update(`last ${await journal.lastSeq()}\n`);
  if (o.audit === false) return hash.digest('hex');
  // The audit trail, row by row as stored (hashes included), and the chain id its first record links to.
  hash.update(`audit-chain ${await journal.auditChainId()}\n`);
  for (let fromSeq = 1; ;) {
    const page = await journal.readAudit({ fromSeq, limit: PAGE });
    for (const row of page) hash.update(`audit ${canonical(row)}\n`);
    if (page.length < PAGE) break;
    fromSeq = page[page.length - 1].seq + 1;
  }
  return hash.digest('hex');
}

/** JSON with sorted keys; bigints tagged as the journal stores them; undefined properties dropped. */
export function canonical(v: unknown): string {
  if (typeof v === 'bigint') return `{"$n":"${v}"}`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}
