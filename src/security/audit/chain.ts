import { createHash } from 'node:crypto';
import type { AuditRow, AuditSeal } from '../../store/index.ts';
import type { AuditAction } from './audit-actions.ts';
import type { AuditActor, AuditDetails, AuditOrigin, AuditRecord, AuditResult, CheckedAuditEvent } from './audit-event.ts';

/**
 * The hash chain (docs/security.md, "Chain format"). Record n's hash is
 *
 *   hash_n = hex(SHA-256(UTF-8(C_n)))
 *   C_n    = {"action":A,"actor":W,"details":D,"origin":O,"prev":P,"reason":R,"result":S,"seq":n,"target":T,"ts":ms,"v":1}
 *
 * with keys in that (sorted) order, no whitespace, strings written as JSON strings (canonical-json.ts),
 * `target` and `reason` as `null` when absent, `D` the stored details text exactly as stored (it is canonical
 * JSON when written, and hashing the stored bytes means any changed byte shows), `P` = hash_{n-1}, and for
 * the first record P = hex(SHA-256(UTF-8("keel-audit-genesis:v1:" + chainId))), the journal's random chain id.
 */

/** The value record 1 links to. */
export function genesisHash(chainId: string): string {
  return sha256Hex(`keel-audit-genesis:v1:${chainId}`);
}

/** The canonical text a stored row's hash covers (every column but `hash`). */
export function canonicalRecord(r: Omit<AuditRow, 'hash'>): string {
  const s = JSON.stringify;
  return `{"action":${s(r.action)},"actor":${s(r.actor)},"details":${r.details},"origin":${s(r.origin)},"prev":${s(r.prevHash)},`
    + `"reason":${r.reason === null ? 'null' : s(r.reason)},"result":${s(r.result)},"seq":${r.seq},"target":${r.target === null ? 'null' : s(r.target)},"ts":${r.ts},"v":1}`;
}

/** The hash a row must carry. */
export function recordHash(r: Omit<AuditRow, 'hash'>): string {
  return sha256Hex(canonicalRecord(r));
}

/**
 * The seal that appends `e` to the chain: next seq, linked to the last row's hash (or the genesis), hashed.
 * `now` is read under the table's lock, so timestamps follow append order unless the wall clock steps back.
 */
export function sealFor(e: CheckedAuditEvent, now: () => number): AuditSeal {
  return (last, chainId) => {
    const body: Omit<AuditRow, 'hash'> = {
      seq: (last?.seq ?? 0) + 1, ts: e.ts ?? now(), actor: e.actor, origin: e.origin, action: e.action, target: e.target,
      result: e.result, reason: e.reason, details: e.details, prevHash: last?.hash ?? genesisHash(chainId),
    };
    return { ...body, hash: recordHash(body) };
  };
}

/**
 * A stored row as a typed record. The row is trusted as far as its shape (verify checks its hashes); details
 * that are not a JSON object (a tampered row) come back as `{ unreadable: <text> }` rather than throwing, so
 * an export still shows what is there.
 */
export function toAuditRecord(r: AuditRow): AuditRecord {
  const result: AuditResult = r.result === 'ok' ? { status: 'ok' } : { status: r.result as 'denied' | 'failed', reason: r.reason ?? '' };
  const base = {
    seq: r.seq, ts: r.ts, actor: r.actor as AuditActor, origin: r.origin as AuditOrigin, action: r.action as AuditAction,
    result, details: parseDetails(r.details), prevHash: r.prevHash, hash: r.hash,
  };
  return r.target === null ? base : { ...base, target: r.target };
}

function parseDetails(text: string): AuditDetails {
  try {
    const v = JSON.parse(text) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as AuditDetails;
  } catch {
    // fall through
  }
  return { unreadable: text };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
