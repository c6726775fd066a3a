import { Worker } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import type { Durability } from '../journal.ts';

/** How often the background checkpointer looks at how much was written since its last checkpoint. */
const POLL_INTERVAL_MS = 100;
/**
 * Checkpoint once about this many WAL pages were written (counted from commits and their events, so an
 * estimate): about 16 MB of WAL. Under SQLite's default 1,000 pages.
 */
const CHECKPOINT_PAGES = 4000;
/** ...or once this long has passed since the last checkpoint with anything written at all. */
const MAX_CHECKPOINT_INTERVAL_MS = 300_000;
/** SQLite's default: checkpoint inline once the WAL holds this many pages. */
const INLINE_CHECKPOINT_PAGES = 1000;
/** A 4 KB page holds about this many of the engine's events. */
const EVENTS_PER_PAGE = 16;

/**
 * Moves WAL checkpoints off the engine's thread. By default SQLite checkpoints inside the commit that
 * crosses 1,000 WAL pages: that commit then copies 4 MB and fsyncs the database file, a pause of
 * milliseconds on the event loop every few thousand events, and about a sixth of the append throughput.
 * Here the writer never checkpoints (wal_autocheckpoint=0); a worker thread with its own connection runs a
 * PASSIVE checkpoint once about 16 MB of WAL were written (or 5 minutes after the last one, if anything was).
 *
 * Not more often: once a checkpoint has copied the whole WAL, the next commit starts the WAL over, and
 * SQLite fsyncs the new WAL header inside that commit (milliseconds on a busy disk). A checkpoint every
 * 100 ms, as this once did, put that fsync into nearly every order intent of a quiet engine (an order every
 * few hundred milliseconds: at the example's load, event → order p50 was milliseconds instead of
 * microseconds). If the worker fails, inline checkpoints come back, so the WAL cannot grow without bound.
 */
export class BackgroundCheckpointer {
  private readonly db: DatabaseSync;
  private worker: Worker | undefined;
  /** Pages (estimated) written so far, shared with the worker, which checkpoints by it. */
  private readonly written = new Int32Array(new SharedArrayBuffer(4));

  constructor(db: DatabaseSync, path: string, durability: Durability) {
    this.db = db;
    db.exec('PRAGMA wal_autocheckpoint = 0');
    const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
      workerData: {
        path, synchronous: durability === 'machine' ? 'FULL' : 'NORMAL', pollMs: POLL_INTERVAL_MS, pages: CHECKPOINT_PAGES,
        maxIntervalMs: MAX_CHECKPOINT_INTERVAL_MS, written: this.written,
      },
    });
    worker.unref(); // a journal left open must not keep the process alive
    worker.on('message', (m: { error?: string }) => { if (m.error !== undefined) this.fallBack(); });
    worker.on('error', () => this.fallBack());
    this.worker = worker;
  }

  /** A commit of `events` events went into the WAL (an estimate of its pages is counted). */
  wrote(events: number): void {
    Atomics.add(this.written, 0, 1 + Math.floor(events / EVENTS_PER_PAGE));
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
