import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseMoney } from '../../src/model/index.ts';
import { SeededRandom } from '../../src/kernel/index.ts';
import { percentFee } from '../../src/venues/index.ts';
import { startSimVenueServer, type SimVenueServer } from '../../src/venues/sim-server/index.ts';
import { SocketVenue } from '../../src/venues/index.ts';
import type { VenueSnapshot } from '../../src/execution/index.ts';
import { ORCL, ROOT } from './cli.ts';

const POINTS = ['intent-journaled', 'request-sent', 'report-received', 'report-applied', 'market-event', 'snapshot-captured'] as const;

/** One way to die: at a named point on its n-th pass, or an outside SIGKILL after some milliseconds. */
export type Kill = { readonly point: (typeof POINTS)[number]; readonly hit: number } | { readonly afterMs: number };

/** A seeded plan of one to three kills before the engine is let run to the end. */
export function killPlan(seed: number): Kill[] {
  const rnd = new SeededRandom(seed);
  const n = 1 + Math.floor(rnd.next() * 3);
  return Array.from({ length: n }, () => {
    if (rnd.next() < 0.2) return { afterMs: 150 + Math.floor(rnd.next() * 500) };
    const point = POINTS[Math.floor(rnd.next() * POINTS.length)];
    return { point, hit: 1 + Math.floor(rnd.next() * (point === 'market-event' ? 100 : 8)) };
  });
}

export function describeKill(k: Kill): string {
  return 'point' in k ? `${k.point}:${k.hit}` : `SIGKILL after ${k.afterMs} ms`;
}

export interface EngineRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `keel paper` once against the venue, optionally killed per `kill`. */
export function runEngine(port: number, journalArgs: string | string[], kill?: Kill, extra: string[] = []): Promise<EngineRun> {
  const journal = typeof journalArgs === 'string' ? ['--journal', journalArgs] : journalArgs;
  const env = { ...process.env, KEEL_DEBUG: '' } as NodeJS.ProcessEnv;
  if (kill && 'point' in kill) env.KEEL_CRASH_AT = `${kill.point}:${kill.hit}`;
  else delete env.KEEL_CRASH_AT;
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'paper', '--strategy', 'sma-cross', '--params', 'fast=2,slow=5',
    '--venue', `127.0.0.1:${port}`, ...journal, '--sizing', 'units:100', '--commission-pct', '0.1', '--quiet', ...extra], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = kill && 'afterMs' in kill ? setTimeout(() => child.kill('SIGKILL'), kill.afterMs) : undefined;
  return new Promise((res) => child.on('exit', (code, signal) => { clearTimeout(timer); res({ code, signal, stdout, stderr }); }));
}

export async function startVenue(bars: number, barMs: number): Promise<SimVenueServer> {
  return startSimVenueServer({
    dataPath: ORCL, barIntervalMs: barMs, untilBar: bars, initialCash: parseMoney('100000', 'cash'), fees: percentFee('0.1'),
  });
}

/** What the venue holds for the account, asked on a connection of its own (the engine has exited). */
export async function venueState(port: number, account = 'paper'): Promise<VenueSnapshot & { orders: VenueSnapshot['orders'] }> {
  const v = await SocketVenue.connect('127.0.0.1', port, account);
  try {
    return await v.query();
  } finally {
    await v.close();
  }
}
