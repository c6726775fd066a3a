import type { AuditRow } from '../../store/index.ts';
import { genesisHash, recordHash } from './chain.ts';

/**
 * Where a chain stands: its last record's seq and hash (seq 0 and the genesis value when empty), and the
 * journal's chain id. Printed by `keel audit head` so an operator can keep it somewhere the journal's writers
 * cannot reach; `keel audit verify --expect-head` checks the chain still reaches it.
 */
export interface AuditHead {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
}

/** The first thing wrong with a chain, and where. */
export interface AuditProblem {
  /** The first bad record's seq (for `truncated`, the anchored seq the chain no longer reaches). */
  readonly seq: number;
  /**
   * - `hash-mismatch`: the record's content (or its hash) was changed: its hash is not the hash of its fields;
   * - `broken-link`: it does not link to the record before it (that one was changed or replaced, or a record
   *   was inserted), or record 1 does not link to this journal's genesis;
   * - `seq-gap`: records are missing before it (deleted);
   * - `truncated`: the chain ends before the anchored head (records deleted from the end);
   * - `head-mismatch`: the record at the anchored head's seq is not the anchored one (rewritten).
   */
  readonly kind: 'hash-mismatch' | 'broken-link' | 'seq-gap' | 'truncated' | 'head-mismatch';
  /** One line, e.g. "record 7: hash mismatch: its content was changed after it was written". */
  readonly message: string;
}

export type AuditVerdict =
  | { readonly ok: true; readonly records: number; readonly head: AuditHead }
  /** `records`: how many records were sound before the problem. */
  | { readonly ok: false; readonly records: number; readonly problem: AuditProblem };

/**
 * Walks a chain in seq order, one row at a time (so a long trail is checked page by page), and stops at the
 * first problem. Pure: the caller reads the rows.
 *
 * @example
 * const walk = new ChainWalk(chainId);
 * for (const row of rows) if (!walk.push(row)) break;
 * const verdict = walk.verdict();
 */
export class ChainWalk {
  private readonly chainId: string;
  private readonly expectHead: { readonly seq: number; readonly hash: string } | undefined;
  private lastSeq = 0;
  private lastHash: string;
  private records = 0;
  private problem: AuditProblem | undefined;
  private anchorSeen = false;

  constructor(chainId: string, expectHead?: { readonly seq: number; readonly hash: string }) {
    this.chainId = chainId;
    this.expectHead = expectHead;
    this.lastHash = genesisHash(chainId);
  }

  /** Check the next row; false once a problem is found (push no more). */
  push(row: AuditRow): boolean {
    if (this.problem) return false;
    const seq = row.seq;
    if (seq !== this.lastSeq + 1) {
      const missing = seq - this.lastSeq - 1;
      return this.fail(this.lastSeq + 1, 'seq-gap', `record ${this.lastSeq + 1}: missing (the chain jumps from ${this.lastSeq} to ${seq}: ${missing} record${missing === 1 ? '' : 's'} deleted)`);
    }
    if (row.prevHash !== this.lastHash) {
      const what = seq === 1 ? "this journal's genesis value (the chain was copied from another journal, or its first record replaced)" : `record ${seq - 1}'s hash (record ${seq - 1} was changed or replaced, or this one inserted)`;
      return this.fail(seq, 'broken-link', `record ${seq}: broken link: its previous-hash is not ${what}`);
    }
    if (recordHash(row) !== row.hash) {
      return this.fail(seq, 'hash-mismatch', `record ${seq}: hash mismatch: its content was changed after it was written`);
    }
    if (this.expectHead && seq === this.expectHead.seq) {
      this.anchorSeen = true;
      if (row.hash !== this.expectHead.hash) {
        return this.fail(seq, 'head-mismatch', `record ${seq}: not the anchored head (hash ${row.hash.slice(0, 16)}…, anchored ${this.expectHead.hash.slice(0, 16)}…): the chain was rewritten from here or earlier`);
      }
    }
    this.lastSeq = seq;
    this.lastHash = row.hash;
    this.records++;
    return true;
  }

  /** The verdict once every row was pushed (or a push returned false). */
  verdict(): AuditVerdict {
    if (!this.problem && this.expectHead && !this.anchorSeen && this.expectHead.seq > 0) {
      this.fail(this.expectHead.seq, 'truncated', `record ${this.expectHead.seq}: missing: the chain ends at ${this.lastSeq}, before the anchored head (records were deleted from the end)`);
    }
    if (this.problem) return { ok: false, records: this.records, problem: this.problem };
    return { ok: true, records: this.records, head: { chainId: this.chainId, seq: this.lastSeq, hash: this.lastHash } };
  }

  private fail(seq: number, kind: AuditProblem['kind'], message: string): false {
    this.problem = { seq, kind, message };
    return false;
  }
}

/**
 * The text form of a head, `<seq>:<hash>` (what `keel audit head` prints and `--expect-head` takes).
 *
 * @example formatHead({ chainId: 'c', seq: 42, hash: 'ab…' }) // '42:ab…'
 */
export function formatHead(head: { readonly seq: number; readonly hash: string }): string {
  return `${head.seq}:${head.hash}`;
}

/** Parse `<seq>:<hash>`; undefined when it is not one. */
export function parseHead(text: string): { seq: number; hash: string } | undefined {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2] } : undefined;
}
