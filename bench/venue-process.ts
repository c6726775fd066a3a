import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AlpacaVenueServerStats } from '../src/venues/alpaca-server/index.ts';

const KEEL = fileURLToPath(new URL('../bin/keel.js', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100; // Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times

/** `keel venue --api alpaca` running as a child process, as an operator runs it next to an engine. */
export interface VenueProcess {
  readonly url: string;
  readonly pid: number;
  /** GET /admin/stats: requests, orders, fills, bars replayed, faults (429s) so far. */
  stats(): Promise<AlpacaVenueServerStats>;
  /** CPU seconds the process has used so far (user + system). */
  cpuSeconds(): number;
  close(): Promise<void>;
}

/**
 * Start the Alpaca-compatible venue server as a child process (`keel venue --api alpaca ARGS`, `--port 0`)
 * and resolve once it prints its URL.
 *
 * @example const venue = await startVenueProcess(['--data', ORCL, '--keys', 'PK1:s1', '--speed', '50']);
 */
export async function startVenueProcess(args: readonly string[]): Promise<VenueProcess> {
  const child = spawn(process.execPath, [KEEL, 'venue', '--api', 'alpaca', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = /^(http:\/\/\S+)\n/m.exec(out);
      if (line) resolve(line[1]);
    });
    child.once('exit', (code) => reject(new Error(`keel venue exited (${code}) before listening: ${err.split('\n')[0]}`)));
  });
  return {
    url, pid: child.pid!,
    async stats() {
      const r = await fetch(`${url}/admin/stats`);
      if (!r.ok) throw new Error(`venue /admin/stats: ${r.status}`);
      return await r.json() as AlpacaVenueServerStats;
    },
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    close: () => stop(child),
  };
}

/** CPU seconds (user + system) of a live process, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}
