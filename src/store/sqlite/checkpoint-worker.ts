/**
 * Worker thread body of the background checkpointer (see checkpointer.ts): copies the WAL's committed pages
 * into the database file on its own connection and thread, so the engine's thread never waits for it, once
 * enough was written since the last copy (the engine counts its commits' pages into `written`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

const { path, synchronous, pollMs, pages, maxIntervalMs, written } = workerData as {
  path: string; synchronous: 'NORMAL' | 'FULL'; pollMs: number; pages: number; maxIntervalMs: number; written: Int32Array;
};
const db = new DatabaseSync(path, { timeout: 1000 });
db.exec(`PRAGMA synchronous = ${synchronous}`);
// PASSIVE never waits for the writer or readers: it copies what it can and tries again next time.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let atLast = 0;
let lastAt = Date.now();

function run(): void {
  const now = Atomics.load(written, 0);
  const since = (now - atLast) | 0; // the counter may wrap; the difference does not
  if (since < pages && !(since > 0 && Date.now() - lastAt >= maxIntervalMs)) return;
  try {
    checkpoint.get();
    atLast = now;
    lastAt = Date.now();
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

const timer = setInterval(run, pollMs);
parentPort?.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
