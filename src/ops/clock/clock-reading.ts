/**
 * Parsing what the system's time daemons say about the local clock. The offset is always "local clock minus
 * true time": positive when the local clock is ahead (fast), negative when behind (slow).
 */

export interface ClockReading {
  readonly source: 'chrony' | 'timedatectl';
  /** Whether the daemon says the clock is synchronised to a reference. */
  readonly synchronised: boolean;
  /** Local minus reference, ms; undefined when the source does not report it (`timedatectl status`). */
  readonly offsetMs: number | undefined;
  /** The reference it follows (`ntp.example.com`, a refclock id), when given. */
  readonly reference: string | undefined;
  readonly stratum: number | undefined;
}

/**
 * `chronyc tracking`. "System time : 0.000006523 seconds slow of NTP time" means the local clock is 6.5 µs
 * behind (offset −0.0065 ms); an unsynchronised chronyd reports reference id 00000000 and leap status "Not
 * synchronised".
 *
 * @example parseChronyTracking('Reference ID    : CB00710F (foo.example.net)\nSystem time     : 0.000006523 seconds slow of NTP time\nLeap status     : Normal').offsetMs // -0.006523
 */
export function parseChronyTracking(text: string): ClockReading | undefined {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'mi').exec(text)?.[1].trim();
  const system = field('System time');
  const refId = field('Reference ID');
  if (system === undefined || refId === undefined) return undefined;
  const m = /^([0-9.]+) seconds (fast|slow) of NTP time$/.exec(system);
  if (!m) return undefined;
  const seconds = Number(m[1]) * (m[2] === 'fast' ? 1 : -1);
  const leap = field('Leap status') ?? '';
  const ref = /^([0-9A-F]{8})\s*\((.*)\)$/i.exec(refId);
  const synchronised = !/not synchronised/i.test(leap) && ref !== null && ref[1] !== '00000000';
  const stratum = Number(field('Stratum'));
  return { source: 'chrony', synchronised, offsetMs: seconds * 1000, reference: ref?.[2] || ref?.[1] || undefined, stratum: Number.isFinite(stratum) ? stratum : undefined };
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, min: 60_000 };

/**
 * `timedatectl timesync-status` (offset, server, stratum), `timedatectl status` ("System clock synchronized:
 * yes") or `timedatectl show` (`NTPSynchronized=yes`): systemd-timesyncd's view. Only timesync-status gives an
 * offset.
 *
 * @example parseTimedatectl('       Server: 192.168.0.1 (ntp.example.com)\n         Leap: normal\n       Offset: -2.180ms').offsetMs // -2.18
 */
export function parseTimedatectl(text: string): ClockReading | undefined {
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*[:=]\\s*(.*)$`, 'mi').exec(text)?.[1].trim();
  const offsetText = field('Offset');
  const offset = offsetText === undefined ? undefined : /^([+-]?[0-9.]+)\s*(ns|us|µs|ms|s|min)$/.exec(offsetText);
  const server = field('Server');
  const synced = field('System clock synchronized') ?? field('NTPSynchronized');
  if (offset === undefined && synced === undefined) return undefined;
  if (offset === null) return undefined; // an Offset line we cannot read: better no reading than a wrong one
  const leap = field('Leap');
  const stratum = Number(field('Stratum'));
  const synchronised = offset !== undefined ? (leap === undefined || !/not synchroni[sz]ed|alarm/i.test(leap)) && server !== undefined : synced === 'yes';
  return {
    source: 'timedatectl', synchronised,
    offsetMs: offset ? Number(offset[1]) * UNIT_MS[offset[2]] : undefined,
    reference: server?.replace(/^.*\((.*)\)$/, '$1') || undefined,
    stratum: Number.isFinite(stratum) ? stratum : undefined,
  };
}
