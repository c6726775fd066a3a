import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import pg from 'pg';

/**
 * Dying between an event commit and its read models' commit, for the journal contract's crash-window test
 * (the writer process is test/helpers/read-model-crash-process.ts).
 */
/** See test/helpers/read-model-crash-process.ts. */
export interface CrashWindow {
  /** The process's arguments naming this storage (after EVENTS.json SETTLED DIE): `sqlite PATH`, `postgres URL SCHEMA`. */
  readonly target: readonly string[];
  /**
   * Hold the read models' commits back (called once the child's first events are in its read models);
   * resolves with a function that waits until the child's read-model commit is stuck behind the hold, ends
   * that commit and lets go. Absent: the child kills itself as soon as its append is acknowledged, which on
   * this journal always comes before its read models' commit.
   */
  readonly hold?: () => Promise<() => Promise<void>>;
}

/**
 * Run test/helpers/read-model-crash-process.ts on `file` and make it die between its last event commit and
 * that commit's read models. Resolves with the last sequence it had acknowledged.
 */
export async function crashBetweenCommits(file: string, settled: number, w: CrashWindow): Promise<{ durable: number }> {
  const script = new URL('./read-model-crash-process.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, file, String(settled), w.hold ? 'wait' : 'self', ...w.target], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const looks: Array<() => void> = [];
  child.stdout.on('data', (d) => { out += d; for (const look of looks) look(); });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const line = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const look = () => { const m = re.exec(out); if (m) resolve(m); };
    looks.push(look);
    void exited.then(() => { look(); reject(new Error(`the child exited before printing ${re}: ${out} ${err}`)); });
    look();
  });
  const settledLine = line(/settled\n/);
  const durableLine = line(/durable (\d+)\n/);
  durableLine.catch(() => {}); // awaited below; reported there
  await settledLine;
  const release = await w.hold?.();
  child.stdin.write('go\n');
  const durable = Number((await durableLine)[1]);
  if (release) {
    await release();
    child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', `the child died by SIGKILL: ${err}`);
  return { durable };
}

/**
 * Hold the read models' watermark row (their commits update it) in a transaction of our own. The returned
 * function waits until a read-model commit is stuck behind it, ends that commit's session (so that it can
 * never commit, even after its process died) and lets go.
 */
export async function holdReadModels(url: string, schema: string): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  await c.query(`SELECT seq FROM ${schema}.read_model_state FOR UPDATE`);
  const me = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const stuck = async () => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [me])).rows.map((r) => r.pid);
  return async () => {
    try {
      const deadline = Date.now() + 10_000;
      let pids = await stuck();
      while (pids.length === 0) {
        if (Date.now() > deadline) throw new Error('no read-model commit waited for the hold');
        await new Promise((r) => setTimeout(r, 10));
        pids = await stuck();
      }
      for (const pid of pids) await c.query('SELECT pg_terminate_backend($1)', [pid]);
      while ((await stuck()).length > 0) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await c.query('ROLLBACK');
      await c.end();
    }
  };
}
