import type { Durability } from './journal.ts';

/**
 * The journal database's `audit` table (DESIGN.md `security/`: the audit log), as storage: append-only rows
 * with a sequence, appended one at a time under a lock so that a hash chain over them can never fork. What
 * the columns mean, how the hashes are made and how the chain is checked belongs to `security/audit/`; the
 * store only keeps the rows exactly as written and serialises the appends.
 *
 * Both journals (SQLite and PostgreSQL) create the table in their schema migrations (version 3), next to
 * `audit_chain`, one row holding the random id the chain's first record is linked to. UPDATE and DELETE on
 * `audit` are refused by triggers: an accident or a casual edit fails loudly, and someone who drops the
 * triggers is caught by the chain (docs/security.md says what the chain does not catch).
 */

/** One audit record as stored: every column of the `audit` table, text kept byte for byte. */
export interface AuditRow {
  /** 1, 2, 3, … without gaps, in append order. */
  readonly seq: number;
  /** UTC epoch milliseconds. */
  readonly ts: number;
  readonly actor: string;
  readonly origin: string;
  readonly action: string;
  readonly target: string | null;
  /** `ok`, `denied` or `failed`. */
  readonly result: string;
  readonly reason: string | null;
  /** JSON text, stored exactly as given (never re-encoded, so its hash stays checkable). */
  readonly details: string;
  /** Hex SHA-256 of the previous record, or the chain's genesis value for seq 1. */
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditRowQuery {
  /** First sequence to return (default 1). */
  readonly fromSeq?: number;
  /** At most this many rows. */
  readonly limit?: number;
  /** Only rows with `fromTs <= ts < toTs` (UTC epoch ms). */
  readonly fromTs?: number;
  readonly toTs?: number;
}

/**
 * Builds the row to append from the current last row (undefined while the table is empty) and the chain id.
 * It runs while the table's lock is held, so it must be quick and synchronous; its row's seq must be the
 * last seq + 1, or the append is refused.
 */
export type AuditSeal = (last: AuditRow | undefined, chainId: string) => AuditRow;

/**
 * The audit table of one journal, through a connection of its own: it never waits behind the engine's
 * journal commits, and it needs no journal writer lock, so a CLI command can append while an engine runs.
 */
export interface AuditTable {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, without secrets (as `Journal.location`). */
  readonly location: string;
  readonly readOnly: boolean;
  /** The random id fixed when the table was created (restores carry it over). */
  chainId(): Promise<string>;
  /**
   * Append one row, serialised with every other append to this table: by one lock per database (SQLite's
   * write lock, a PostgreSQL transaction-level advisory lock), so appenders in other processes and other
   * connections of this one wait their turn and every seal sees the true last row.
   */
  append(seal: AuditSeal): Promise<AuditRow>;
  /** Rows in sequence order. */
  rows(query?: AuditRowQuery): Promise<AuditRow[]>;
  /** The row with the highest sequence (undefined when empty). */
  last(): Promise<AuditRow | undefined>;
  count(): Promise<number>;
  /**
   * Restores only: into an empty table, take over `chainId` (the source journal's) and insert `rows` exactly
   * as they are (continuing from what an earlier call inserted). Refused once the table holds anything else.
   */
  importRows(chainId: string, rows: readonly AuditRow[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditTableOptions {
  /** Default `process`, as the journal (see `Durability`). */
  readonly durability?: Durability;
  /** Only read (verify, export): never migrates, append and importRows are refused. */
  readonly readOnly?: boolean;
}
