import { Worker } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import type { Durability } from '../journal.ts';

/** How often the background checkpointer copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 100;
/** SQLite's default: checkpoint inline once the WAL holds this many pages. */
const INLINE_CHECKPOINT_PAGES = 1000;

/**
 * Moves WAL checkpoints off the engine's thread. By default SQLite checkpoints inside the commit that
 * crosses 1,000 WAL pages: that commit then copies 4 MB and fsyncs the database file, a pause of
 * milliseconds on the event loop every few thousand events, and about a sixth of the append throughput.
 * Here the writer never checkpoints (wal_autocheckpoint=0); a worker thread with its own connection runs a
 * PASSIVE checkpoint every 100 ms. If the worker fails, inline checkpoints come back, so the WAL cannot grow
 * without bound.
 */
export class BackgroundCheckpointer {
  private readonly db: DatabaseSync;
  private worker: Worker | undefined;

  constructor(db: DatabaseSync, path: string, durability: Durability) {
    this.db = db;
    db.exec('PRAGMA wal_autocheckpoint = 0');
    const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
      workerData: { path, synchronous: durability === 'machine' ? 'FULL' : 'NORMAL', intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    worker.unref(); // a journal left open must not keep the process alive
    worker.on('message', (m: { error?: string }) => { if (m.error !== undefined) this.fallBack(); });
    worker.on('error', () => this.fallBack());
    this.worker = worker;
  }

  /** Stop the worker and wait until its connection is closed (the writer's close then checkpoints the rest). */
  async stop(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.ref(); // keep the process alive until the worker has closed its connection
    w.postMessage('stop');
    await exited;
  }

  private fallBack(): void {
    const w = this.worker;
    this.worker = undefined;
    if (this.db.isOpen) this.db.exec(`PRAGMA wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    void w?.terminate();
  }
}
