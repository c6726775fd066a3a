import { execFile } from 'node:child_process';
import { parseChronyTracking, parseTimedatectl, type ClockReading } from './clock-reading.ts';
import type { ClockConfig } from './clock-config.ts';

/** A measurement, or why there is none (no daemon, not running, unreadable output). */
export type ClockMeasurement =
  | { readonly ok: true; readonly reading: ClockReading }
  | { readonly ok: false; readonly reason: string };

const COMMANDS: Readonly<Record<ClockConfig['sources'][number], ReadonlyArray<{ file: string; args: readonly string[]; parse: (t: string) => ClockReading | undefined }>>> = {
  chrony: [{ file: 'chronyc', args: ['tracking'], parse: parseChronyTracking }],
  // timesync-status has the offset; status and show only say whether the clock is synchronised.
  timedatectl: [
    { file: 'timedatectl', args: ['timesync-status'], parse: parseTimedatectl },
    { file: 'timedatectl', args: ['show'], parse: parseTimedatectl },
  ],
};

/**
 * Ask the time daemons, in the configured order, for the local clock's offset from UTC. Runs the commands
 * (found on PATH) with a timeout; never throws.
 *
 * @example const m = await measureClock(['chrony', 'timedatectl']); if (m.ok) console.log(m.reading.offsetMs);
 */
export async function measureClock(sources: ClockConfig['sources'], timeoutMs = 3000): Promise<ClockMeasurement> {
  const reasons: string[] = [];
  for (const source of sources) {
    for (const c of COMMANDS[source]) {
      const run = await new Promise<{ out: string; error?: string }>((resolve) => {
        try {
          execFile(c.file, [...c.args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) resolve({ out: stdout, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : (stderr.trim().split('\n')[0] || err.message.split('\n')[0]) });
          else resolve({ out: stdout });
          });
        } catch (err) {
          resolve({ out: '', error: (err as Error).message.split('\n')[0] });
        }
      });
      const label = `${c.file} ${c.args.join(' ')}`;
      if (run.error !== undefined) { reasons.push(`${label}: ${run.error}`); if (run.error === 'not installed') break; continue; }
      const reading = c.parse(run.out);
      if (reading !== undefined) return { ok: true, reading };
      reasons.push(`${label}: output not understood`);
    }
  }
  return { ok: false, reason: reasons.join('; ') };
}

/** What a measurement means against the limits: fine, past the alert threshold, or past the hard limit. */
export type ClockVerdict =
  | { readonly level: 'ok'; readonly line: string }
  | { readonly level: 'drift'; readonly line: string }
  | { readonly level: 'refuse'; readonly line: string };

/**
 * Judge a measurement. No synchronised source, or an offset past `hardLimitMs`, is `refuse` (keel live does
 * not start); past `alertMs` is `drift` (the clock_drift alert).
 *
 * @example clockVerdict({ ok: true, reading: { source: 'chrony', synchronised: true, offsetMs: 0.2, reference: 'ntp', stratum: 2 } }, { alertMs: 1, hardLimitMs: 100 }).level // 'ok'
 */
export function clockVerdict(m: ClockMeasurement, limits: Pick<ClockConfig, 'alertMs' | 'hardLimitMs'>): ClockVerdict {
  if (!m.ok) return { level: 'refuse', line: `clock offset cannot be measured (${m.reason})` };
  const r = m.reading;
  const from = `${r.source}${r.reference ? `, reference ${r.reference}` : ''}`;
  if (!r.synchronised) return { level: 'refuse', line: `the clock is not synchronised (${from})` };
  if (r.offsetMs === undefined) return { level: 'ok', line: `synchronised (${from}; the source reports no offset)` };
  const off = `offset ${formatOffset(r.offsetMs)} (${from})`;
  const abs = Math.abs(r.offsetMs);
  if (abs > limits.hardLimitMs) return { level: 'refuse', line: `${off} is past the hard limit of ${limits.hardLimitMs} ms` };
  if (abs > limits.alertMs) return { level: 'drift', line: `${off} is past the alert threshold of ${limits.alertMs} ms (hard limit ${limits.hardLimitMs} ms)` };
  return { level: 'ok', line: `${off}, within ${limits.alertMs} ms` };
}

/** `+0.006 ms`, `-2.180 ms`, `+512.000 ms`. */
export function formatOffset(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${Math.abs(ms).toFixed(3)} ms`;
}
