import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * The audit versions (code hash + parameters) that events carry, stored once each: every event of a
 * strategy repeats the same long string, and writing it per row cost about a tenth of the append
 * throughput. Events keep a small integer id; reads join it back, so callers never see the difference.
 *
 * Ids assigned inside a transaction count only once it commits (`committed`); a rollback forgets them.
 */
export class VersionIds {
  private readonly ids = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  private readonly insert: StatementSync;
  private readonly maxId: StatementSync;

  constructor(db: DatabaseSync) {
    for (const row of db.prepare('SELECT id, version FROM versions').all() as Array<{ id: number; version: string }>) this.ids.set(row.version, row.id);
    this.insert = db.prepare('INSERT INTO versions (id, version) VALUES (?, ?)');
    this.maxId = db.prepare('SELECT coalesce(max(id), 0) AS id FROM versions');
  }

  /** The id of `version` (inserting it in the current transaction if new), or null for an event without one. */
  idOf(version: string | undefined): number | null {
    if (version === undefined) return null;
    const known = this.ids.get(version) ?? this.pending.get(version);
    if (known !== undefined) return known;
    const id = (this.maxId.get() as { id: number }).id + 1;
    this.insert.run(id, version);
    this.pending.set(version, id);
    return id;
  }

  committed(): void {
    for (const [v, id] of this.pending) this.ids.set(v, id);
    this.pending.clear();
  }

  rolledBack(): void {
    this.pending.clear();
  }
}
