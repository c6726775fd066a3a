/**
 * Worker thread body of the background checkpointer (see checkpointer.ts): copies the WAL's committed pages
 * into the database file on its own connection and thread, so the engine's thread never waits for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

const { path, synchronous, intervalMs } = workerData as { path: string; synchronous: 'NORMAL' | 'FULL'; intervalMs: number };
const db = new DatabaseSync(path, { timeout: 1000 });
db.exec(`PRAGMA synchronous = ${synchronous}`);
// PASSIVE never waits for the writer or readers: it copies what it can and tries again next time.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

function run(): void {
  try {
    checkpoint.get();
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

const timer = setInterval(run, intervalMs);
parentPort?.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
