import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from './cli.ts';

/** Where scripts/build-fix-executor.sh puts QuickFIX's executor (git-ignored). */
export const EXECUTOR_BIN = resolve(ROOT, '.fix-executor/executor');

/** A running QuickFIX/C++ executor (the counterparty nobody here wrote) on a free loopback port. */
export interface Executor {
  readonly port: number;
  readonly dir: string;
  /** Its screen log so far (QuickFIX prints every message; it is the counterparty's, never Keel's, output). */
  out(): string;
  stop(): Promise<void>;
  readonly child: ChildProcess;
}

/**
 * Start the executor with sessions FIX.4.2 and FIX.4.4 for `client` → EXECUTOR. Fails (never skips) when the
 * binary is missing: CI builds it with scripts/build-fix-executor.sh. `dir` keeps its FileStore, so a restart
 * with the same dir resumes its sequence numbers.
 */
export async function startExecutor(o: { client?: string; dir?: string; port?: number } = {}): Promise<Executor> {
  if (!existsSync(EXECUTOR_BIN)) {
    throw new Error(`QuickFIX executor not built: ${EXECUTOR_BIN} is missing. Run scripts/build-fix-executor.sh (needs apt-get install -y libquickfix-dev g++)`);
  }
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'keel-fix-executor-'));
  for (let attempt = 0; ; attempt++) {
    const port = o.port ?? await freePort();
    const cfg = join(dir, 'executor.cfg');
    writeFileSync(cfg, [
      '[DEFAULT]', `FileStorePath=${join(dir, 'store')}`, 'ConnectionType=acceptor', 'SenderCompID=EXECUTOR',
      `SocketAcceptPort=${port}`, 'SocketReuseAddress=Y', 'StartTime=00:00:00', 'EndTime=00:00:00', 'UseDataDictionary=N', '',
      '[SESSION]', 'BeginString=FIX.4.2', `TargetCompID=${o.client ?? 'KEEL'}`, '',
      '[SESSION]', 'BeginString=FIX.4.4', `TargetCompID=${o.client ?? 'KEEL'}`, '',
    ].join('\n'));
    const child = spawn(EXECUTOR_BIN, [cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const up = await listening(port, 5000, () => child.exitCode !== null);
    if (!up) {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 3 && o.port === undefined) continue; // the free port was taken meanwhile
      throw new Error(`QuickFIX executor did not listen on ${port}: ${out.slice(-500)}`);
    }
    return {
      port, dir, child, out: () => out,
      stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } },
    };
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); });
  });
}

async function listening(port: number, withinMs: number, dead: () => boolean): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until && !dead()) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect({ host: '127.0.0.1', port }, () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
